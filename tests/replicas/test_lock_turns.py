"""One gateway command at a time per lock across replicas (issue 15): the turns on PostgreSQL
advisory locks, and two reconcilers with their own cloud clients meeting at the main entrance
without one "busy" answer."""

from __future__ import annotations

import asyncio
import logging

import pytest

from replicas.replicas import ADD, TwoReplicas, pending_grants
from store.conftest import PostgresCluster
from ttlock_bridge.store.advisory import AdvisorySession
from ttlock_bridge.store.lock_turns import LockTurns

MAIN_ENTRANCE = 1_000_001
ROOM_1 = 1_000_002


async def test_a_lock_turn_waits_for_the_other_replica_and_no_other_lock_does(
    postgres: PostgresCluster,
) -> None:
    url = postgres.new_database()
    one = LockTurns(AdvisorySession(url, "replica-a"))
    two = LockTurns(AdvisorySession(url, "replica-b"))
    order: list[str] = []

    async def command(turns: LockTurns, lock_id: int, name: str, seconds: float) -> None:
        async with turns.turn(lock_id):
            order.append(f"{name} starts")
            await asyncio.sleep(seconds)
            order.append(f"{name} ends")

    try:
        first = asyncio.create_task(command(one, MAIN_ENTRANCE, "a", 0.3))
        await asyncio.sleep(0.05)
        await asyncio.gather(
            command(two, MAIN_ENTRANCE, "b", 0), command(two, ROOM_1, "room", 0), first
        )
    finally:
        await one.close()
        await two.close()

    assert order.index("room ends") < order.index("a ends")  # another lock does not wait
    assert order.index("a ends") < order.index("b starts")


async def test_a_cancelled_wait_or_a_dead_replica_leaves_no_turn_taken(
    postgres: PostgresCluster,
) -> None:
    url = postgres.new_database()
    one = LockTurns(AdvisorySession(url, "replica-a"))
    two = LockTurns(AdvisorySession(url, "replica-b"))
    holding = asyncio.Event()

    async def hold() -> None:
        async with one.turn(MAIN_ENTRANCE):
            holding.set()
            await asyncio.sleep(30)

    async def wait_for_turn() -> None:
        async with two.turn(MAIN_ENTRANCE):
            pass

    try:
        holder = asyncio.create_task(hold())
        await holding.wait()
        waiter = asyncio.create_task(wait_for_turn())
        await asyncio.sleep(0.2)
        waiter.cancel()
        await one.close()  # the replica's session ends (as when it dies): its turns go
        holder.cancel()
        await asyncio.wait_for(wait_for_turn(), timeout=2)
        await asyncio.wait_for(wait_for_turn(), timeout=2)  # given back after the first
    finally:
        await two.close()


async def test_without_postgresql_commands_go_on_in_this_replica_and_the_log_says_so(
    postgres: PostgresCluster, caplog: pytest.LogCaptureFixture
) -> None:
    url = postgres.new_database().replace(f":{postgres.port}/", ":1/")  # nobody listens there
    turns = LockTurns(AdvisorySession(url, "replica-a"))

    with caplog.at_level(logging.WARNING, logger="ttlock_bridge.store"):
        for _ in range(3):
            async with asyncio.timeout(5), turns.turn(MAIN_ENTRANCE):
                pass

    warnings = [r for r in caplog.records if "event=lock_turns_unshared" in r.getMessage()]
    assert len(warnings) == 1


async def test_two_replicas_at_one_entrance_meet_no_busy_gateway(
    replicas_on_postgresql: TwoReplicas,
) -> None:
    replicas = replicas_on_postgresql
    grant_ids, adds_before = await pending_grants(replicas, 8)
    replicas.simulator.control("settings", {"latency_ms": 100})

    # each replica its own grants: both queue at the main entrance at once
    await asyncio.gather(
        replicas.one.reconciler.run_pass(grant_ids[::2]),
        replicas.two.reconciler.run_pass(grant_ids[1::2]),
    )

    # a "busy" answer (-3003) would be retried: one more add call
    assert replicas.simulator.state()["calls"][ADD] - adds_before == 16
