"""Two replicas in one test process: two access cores, each with its own cloud client and
name (and on PostgreSQL its own advisory-lock session), on one ledger and one simulator."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from access.conftest import HOTEL_TOML, TestClock
from cloud.cloud_fixtures import client_for
from conftest import RunningSimulator
from ttlock_bridge.access import Access, GrantRequest
from ttlock_bridge.config import load_config
from ttlock_bridge.store import open_store
from ttlock_bridge.store.lock_turns import LockTurns

ADD = "/v3/keyboardPwd/add"


@dataclass
class TwoReplicas:
    one: Access
    two: Access
    clock: TestClock
    simulator: RunningSimulator


@asynccontextmanager
async def two_replicas(
    simulator: RunningSimulator, database_url: str, directory: Path
) -> AsyncIterator[TwoReplicas]:
    """The access tests' hotel twice over, on `database_url`; on PostgreSQL each client takes
    its turn at a lock with the other's (`LockTurns`)."""
    path = directory / "ttlock-bridge.toml"
    path.write_text(HOTEL_TOML + f'\n[store]\nurl = "{database_url}"\n')
    config = load_config(path)
    store = open_store(config.store_url)
    clock = TestClock()
    turns = [LockTurns.of(store, name) for name in ("replica-a", "replica-b")]
    try:
        async with (
            client_for(simulator.base_url, lock_turns=turns[0]) as one,
            client_for(simulator.base_url, lock_turns=turns[1]) as two,
        ):
            yield TwoReplicas(
                Access(config, store, one, clock=clock, replica="replica-a"),
                Access(config, store, two, clock=clock, replica="replica-b"),
                clock,
                simulator,
            )
    finally:
        for replica_turns in turns:
            if replica_turns is not None:
                await replica_turns.close()
        store.close()


def in_days(days: int) -> str:
    return (datetime.now(UTC) + timedelta(days=days)).date().isoformat()


async def pending_grants(replicas: TwoReplicas, count: int) -> tuple[list[int], int]:
    """`count` room grants (two doors each) written by the first replica whose adds were all
    refused (the gateway offline), every retry due now: their ids, and the add calls made so
    far."""
    simulator = replicas.simulator
    simulator.control("faults", {"path": ADD, "errcode": -3002, "count": 1000})
    grant_ids = []
    for n in range(count):
        room = f"room-{n % 2 + 1}"
        start, end = in_days(1 + 2 * (n // 2)), in_days(2 + 2 * (n // 2))
        view = await replicas.one.grants.create(GrantRequest(start=start, end=end, room=room))
        grant_ids.append(view.id)
    simulator.control("faults/clear")
    replicas.clock.offset_ms += 31 * 60_000  # past the longest backoff
    calls: int = simulator.state()["calls"][ADD]
    return grant_ids, calls
