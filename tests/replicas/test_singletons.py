"""Jobs one replica runs for all (issue 15): one replica holds each, another takes it over when
the holder's session ends, `/readyz`'s words come from who holds what, and of two replicas
whose nightly cleanup comes due at the same instant one cleans up."""

from __future__ import annotations

import asyncio
import logging
from pathlib import Path

import psycopg
import pytest

from access.conftest import HOTEL_TOML, TestClock
from cloud.cloud_fixtures import client_for
from conftest import RunningSimulator
from store.conftest import PostgresCluster
from ttlock_bridge.access import Access
from ttlock_bridge.access.core import NIGHTLY_CLEANUP
from ttlock_bridge.config import load_config
from ttlock_bridge.store import Store, open_store
from ttlock_bridge.store.advisory import AdvisorySession
from ttlock_bridge.store.singletons import Singletons

JOBS = ("nightly cleanup", "gateway poll", "lock clock check")


def singletons_of(url: str, replica: str) -> Singletons:
    return Singletons(AdvisorySession(url, replica), replica, JOBS)


async def eventually_runs_here(singletons: Singletons, job: str) -> bool:
    """Whether `job` becomes this replica's within 2 s, as a replica's next look would."""
    for _ in range(40):
        if await singletons.runs_here(job):
            return True
        await asyncio.sleep(0.05)
    return False


async def test_one_replica_holds_each_job_until_its_session_ends(
    postgres: PostgresCluster,
) -> None:
    url = postgres.new_database()
    one, two = singletons_of(url, "replica-a"), singletons_of(url, "replica-b")
    try:
        assert await one.runs_here("gateway poll")
        assert await one.runs_here("gateway poll")  # still, and held once
        assert not await two.runs_here("gateway poll")
        assert await two.runs_here("nightly cleanup")
        holders = await two.holders()
        await one.close()  # the replica dies: its session ends (a moment later, at the server)
        taken_over = await eventually_runs_here(two, "gateway poll")
        after = await one.holders()  # a new session: it holds nothing now
    finally:
        await one.close()
        await two.close()

    assert holders == {
        "nightly cleanup": "replica-b",
        "gateway poll": "replica-a",
        "lock clock check": None,
    }
    assert taken_over
    assert after["gateway poll"] == "replica-b"


async def test_a_replica_whose_session_was_cut_asks_again_and_says_so_once(
    postgres: PostgresCluster, caplog: pytest.LogCaptureFixture
) -> None:
    url = postgres.new_database()
    one, two = singletons_of(url, "replica-a"), singletons_of(url, "replica-b")
    try:
        assert await one.runs_here("gateway poll")
        admin = url.replace("postgresql+psycopg://", "postgresql://")
        async with await psycopg.AsyncConnection.connect(admin, autocommit=True) as connection:
            await connection.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                "WHERE application_name = 'replica-a' AND datname = current_database()"
            )
            for _ in range(100):  # the backend ends a moment after it is told to
                cursor = await connection.execute(
                    "SELECT count(*) FROM pg_stat_activity "
                    "WHERE application_name = 'replica-a' AND datname = current_database()"
                )
                row = await cursor.fetchone()
                if row is not None and row[0] == 0:
                    break
                await asyncio.sleep(0.05)
        with caplog.at_level(logging.WARNING, logger="ttlock_bridge.store"):
            lost = await one.runs_here("gateway poll")  # the cut is learnt: not sure, no run
        taken = await two.runs_here("gateway poll")
        again = await one.runs_here("gateway poll")
    finally:
        await one.close()
        await two.close()

    assert (lost, taken, again) == (False, True, False)
    said = [r.getMessage() for r in caplog.records if r.name == "ttlock_bridge.store"]
    assert sum("event=singletons_unknown" in message for message in said) == 1  # once


async def test_on_sqlite_the_one_serve_runs_every_job(store: Store) -> None:
    if store.engine.dialect.name != "sqlite":
        pytest.skip("PostgreSQL: the tests above")
    only = Singletons.of(store, "replica-a", JOBS)

    assert all([await only.runs_here(job) for job in JOBS])
    assert await only.holders() == dict.fromkeys(JOBS, "replica-a")


async def test_two_replicas_due_for_the_nightly_cleanup_at_once_clean_up_once(
    simulator: RunningSimulator,
    postgres: PostgresCluster,
    tmp_path: Path,
    caplog: pytest.LogCaptureFixture,
) -> None:
    path = tmp_path / "ttlock-bridge.toml"
    path.write_text(HOTEL_TOML + f'\n[store]\nurl = "{postgres.new_database()}"\n')
    config = load_config(path)
    store = open_store(config.store_url)
    clock = TestClock()
    names = ("replica-a", "replica-b")
    singletons = [Singletons.of(store, name, (NIGHTLY_CLEANUP,)) for name in names]
    async with client_for(simulator.base_url) as one, client_for(simulator.base_url) as two:
        replicas = [
            Access(config, store, cloud, clock=clock, replica=name, runs_here=jobs.runs_here)
            for cloud, name, jobs in zip((one, two), names, singletons, strict=True)
        ]
        due_ms = replicas[0].next_cleanup_ms(clock())
        clock.offset_ms += due_ms - clock() - 300  # due in 0.3 s
        with caplog.at_level(logging.INFO, logger="ttlock_bridge.access"):
            nightly = [asyncio.create_task(replica._clean_up_nightly()) for replica in replicas]
            await asyncio.sleep(2)
            for task in nightly:
                task.cancel()
            await asyncio.gather(*nightly, return_exceptions=True)
    for jobs in singletons:
        await jobs.close()
    store.close()

    runs = [r for r in caplog.records if r.getMessage().startswith("nightly cleanup removed")]
    assert len(runs) == 1


async def test_replicas_of_another_database_on_the_server_are_not_this_ones(
    postgres: PostgresCluster,
) -> None:
    elsewhere = singletons_of(postgres.new_database(), "other-property")
    here = singletons_of(postgres.new_database(), "replica-a")
    try:
        assert await elsewhere.runs_here("gateway poll")
        holders = await here.holders()
        runs_here = await here.runs_here("gateway poll")  # the same key, another database
    finally:
        await elsewhere.close()
        await here.close()

    assert holders["gateway poll"] is None
    assert runs_here
