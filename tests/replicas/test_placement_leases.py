"""One replica at a time per placement (issue 15): the lease's rules on each database, a race
of claims on PostgreSQL, renewal while held, and two reconcilers on one ledger sending each add
once."""

from __future__ import annotations

import asyncio
import threading

import pytest

from access.conftest import MAIN_ENTRANCE, TestClock
from replicas.replicas import ADD, TwoReplicas, pending_grants
from ttlock_bridge.access import leases
from ttlock_bridge.access.leases import LEASE_MS, PlacementLeases, claim, release, renew
from ttlock_bridge.access.transactions import Transactions
from ttlock_bridge.store import Placement, Store, open_store
from ttlock_bridge.store.grants import DoorRef, add_grant
from ttlock_bridge.store.placements import add_placement

NOW_MS = 1_800_000_000_000


def two_placements(store: Store) -> tuple[int, int]:
    """One grant's placements on the main entrance and room 1."""
    doors = [DoorRef("main-entrance", MAIN_ENTRANCE), DoorRef("room-1", MAIN_ENTRANCE + 1)]
    with store.transaction() as session:
        grant = add_grant(
            session,
            tag="tb-LEASE1",
            name="Lease",
            room=None,
            code="582914",
            code_generated=False,
            start_ms=NOW_MS,
            end_ms=NOW_MS + 86_400_000,
            doors=doors,
            now_ms=NOW_MS,
        )
        entrance, room = (
            add_placement(session, grant, door=ref.door, lock_id=ref.lock_id, now_ms=NOW_MS).id
            for ref in doors
        )
        return entrance, room


def lease_of(store: Store, placement_id: int) -> tuple[str | None, int | None]:
    with store.transaction() as session:
        placement = session.get_one(Placement, placement_id)
        return placement.lease_owner, placement.lease_until_ms


def test_a_lease_keeps_others_out_until_it_ends_or_is_released(store: Store) -> None:
    entrance, room = two_placements(store)

    def claim_as(owner: str, now_ms: int, *ids: int) -> tuple[set[int], int | None]:
        with store.transaction() as session:
            return claim(session, ids or (entrance, room), owner, now_ms, now_ms + LEASE_MS)

    assert claim_as("a", NOW_MS, entrance) == ({entrance}, None)
    # refused the entrance until a's lease ends; the room is free
    assert claim_as("b", NOW_MS + 1) == ({room}, NOW_MS + LEASE_MS)
    assert claim_as("a", NOW_MS + 2, entrance) == ({entrance}, None)  # its own again
    with store.transaction() as session:
        release(session, [entrance, room], "b")  # the entrance is not b's to release
    assert lease_of(store, entrance) == ("a", NOW_MS + 2 + LEASE_MS)
    assert lease_of(store, room) == (None, None)
    with store.transaction() as session:
        renew(session, [entrance, room], "a", NOW_MS + 5 * LEASE_MS)  # the room is not a's
    assert lease_of(store, room) == (None, None)
    assert claim_as("b", NOW_MS + 4 * LEASE_MS, entrance) == (set(), NOW_MS + 5 * LEASE_MS)
    assert claim_as("b", NOW_MS + 5 * LEASE_MS, entrance) == ({entrance}, None)  # a died
    with store.transaction() as session:
        release(session, [entrance], "b")
    assert lease_of(store, entrance) == (None, None)


def test_of_many_replicas_claiming_at_once_one_gets_each_placement(
    postgres: object, database_url: str
) -> None:
    if not database_url.startswith("postgresql"):
        pytest.skip("one process on SQLite")
    store = open_store(database_url)
    try:
        placements = two_placements(store)
        start = threading.Barrier(8)
        won: list[tuple[str, set[int]]] = []

        def replica(owner: str) -> None:
            ids = placements if owner in {"r0", "r2", "r4", "r6"} else placements[::-1]
            start.wait()
            with store.transaction() as session:
                taken, _ = claim(session, ids, owner, NOW_MS, NOW_MS + LEASE_MS)
                won.extend((owner, {placement}) for placement in taken)

        threads = [threading.Thread(target=replica, args=(f"r{n}",)) for n in range(8)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert sorted(placement for _, (placement,) in won) == sorted(placements)
        for owner, (placement,) in won:
            assert lease_of(store, placement)[0] == owner
    finally:
        store.close()


async def test_a_held_lease_is_renewed_and_a_refused_replica_looks_again_when_it_ends(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(leases, "RENEW_EVERY_MS", 50)
    placements = two_placements(store)
    clock = TestClock()
    mine = PlacementLeases(Transactions(store), "a", clock)
    other = PlacementLeases(Transactions(store), "b", clock)

    assert await mine.claim(placements) == list(placements)
    _, first_until = lease_of(store, placements[0])
    clock.offset_ms += 1000
    await asyncio.sleep(0.3)
    _, renewed_until = lease_of(store, placements[0])
    refused = await other.claim(placements)
    look_s = other.next_look_s(30.0)
    await mine.release(placements)

    assert first_until is not None
    assert renewed_until is not None
    assert renewed_until >= first_until + 1000
    assert refused == []
    assert LEASE_MS / 1000 - 1 < look_s <= LEASE_MS / 1000 + 0.5
    assert other.next_look_s(30.0) == 30.0  # told once
    assert await other.claim(placements[::-1]) == list(placements[::-1])


async def test_two_reconcilers_on_one_ledger_send_each_add_once(replicas: TwoReplicas) -> None:
    _, adds_before = await pending_grants(replicas, 8)

    await asyncio.gather(replicas.one.reconciler.run_pass(), replicas.two.reconciler.run_pass())

    state = replicas.simulator.state()
    assert state["calls"][ADD] - adds_before == 16  # 8 grants x 2 doors, none twice
    entrance = next(lock for lock in state["locks"] if lock["lockId"] == MAIN_ENTRANCE)
    assert len([p for p in entrance["passcodes"] if p["onLock"]]) == 8
    assert all(view.summary == "active" for view in await replicas.two.grants.find())


async def test_a_replica_whose_lease_lapsed_stops_holding_it(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(leases, "RENEW_EVERY_MS", 50)
    placements = two_placements(store)
    stalled_clock, other_clock = TestClock(), TestClock()
    stalled = PlacementLeases(Transactions(store), "a", stalled_clock)
    other = PlacementLeases(Transactions(store), "b", other_clock)
    assert await stalled.claim(placements) == list(placements)
    assert stalled.holds(placements[0])

    stalled_clock.offset_ms += LEASE_MS  # no renewal got through for a whole lease
    assert not stalled.holds(placements[0])  # then it is not this replica's, whatever else
    stalled_clock.offset_ms -= LEASE_MS
    other_clock.offset_ms += LEASE_MS + 1  # meanwhile the other took the lapsed leases over
    assert await other.claim(placements) == list(placements)
    await asyncio.sleep(0.3)  # the stalled replica's next renewal learns it

    assert not stalled.holds(placements[0])
    assert not stalled.holds(placements[1])
    assert other.holds(placements[0])
    await other.release(placements)
