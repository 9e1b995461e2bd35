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


def one_placement(store: Store) -> int:
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
            doors=[DoorRef("room-1", 1_000_002)],
            now_ms=NOW_MS,
        )
        return add_placement(session, grant, door="room-1", lock_id=1_000_002, now_ms=NOW_MS).id


def lease_of(store: Store, placement_id: int) -> tuple[str | None, int | None]:
    with store.transaction() as session:
        placement = session.get_one(Placement, placement_id)
        return placement.lease_owner, placement.lease_until_ms


def test_a_lease_keeps_others_out_until_it_ends_or_is_released(store: Store) -> None:
    placement = one_placement(store)

    def claim_as(owner: str, now_ms: int) -> int | None:
        with store.transaction() as session:
            return claim(session, placement, owner, now_ms, now_ms + LEASE_MS)

    assert claim_as("a", NOW_MS) is None
    assert claim_as("b", NOW_MS + 1) == NOW_MS + LEASE_MS  # refused: when a's lease ends
    assert claim_as("a", NOW_MS + 2) is None  # its own again
    with store.transaction() as session:
        release(session, placement, "b")  # not b's to release
    assert lease_of(store, placement) == ("a", NOW_MS + 2 + LEASE_MS)
    with store.transaction() as session:
        renew(session, "a", NOW_MS + 5 * LEASE_MS)
    assert claim_as("b", NOW_MS + 4 * LEASE_MS) == NOW_MS + 5 * LEASE_MS
    assert claim_as("b", NOW_MS + 5 * LEASE_MS) is None  # a's lease ended: a died
    with store.transaction() as session:
        release(session, placement, "b")
    assert lease_of(store, placement) == (None, None)
    assert claim_as("c", NOW_MS) is None


def test_of_many_replicas_claiming_at_once_one_gets_the_placement(
    postgres: object, database_url: str
) -> None:
    if not database_url.startswith("postgresql"):
        pytest.skip("one process on SQLite")
    store = open_store(database_url)
    try:
        placement = one_placement(store)
        start = threading.Barrier(8)
        won: list[str] = []

        def replica(owner: str) -> None:
            start.wait()
            with store.transaction() as session:
                if claim(session, placement, owner, NOW_MS, NOW_MS + LEASE_MS) is None:
                    won.append(owner)

        threads = [threading.Thread(target=replica, args=(f"r{n}",)) for n in range(8)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert len(won) == 1
        assert lease_of(store, placement)[0] == won[0]
    finally:
        store.close()


async def test_a_held_lease_is_renewed_and_a_refused_replica_looks_again_when_it_ends(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(leases, "RENEW_EVERY_MS", 50)
    placement = one_placement(store)
    clock = TestClock()
    mine = PlacementLeases(Transactions(store), "a", clock)
    other = PlacementLeases(Transactions(store), "b", clock)

    assert await mine.claim(placement)
    _, first_until = lease_of(store, placement)
    clock.offset_ms += 1000
    await asyncio.sleep(0.3)
    _, renewed_until = lease_of(store, placement)
    refused = await other.claim(placement)
    look_s = other.next_look_s(30.0)
    await mine.release(placement)

    assert first_until is not None
    assert renewed_until is not None
    assert renewed_until >= first_until + 1000
    assert not refused
    assert LEASE_MS / 1000 - 1 < look_s <= LEASE_MS / 1000 + 0.5
    assert other.next_look_s(30.0) == 30.0  # told once
    assert await other.claim(placement)


async def test_two_reconcilers_on_one_ledger_send_each_add_once(replicas: TwoReplicas) -> None:
    _, adds_before = await pending_grants(replicas, 8)

    await asyncio.gather(replicas.one.reconciler.run_pass(), replicas.two.reconciler.run_pass())

    state = replicas.simulator.state()
    assert state["calls"][ADD] - adds_before == 16  # 8 grants x 2 doors, none twice
    entrance = next(lock for lock in state["locks"] if lock["lockId"] == MAIN_ENTRANCE)
    assert len([p for p in entrance["passcodes"] if p["onLock"]]) == 8
    assert all(view.summary == "active" for view in await replicas.two.grants.find())
