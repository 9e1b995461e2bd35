"""The replica tests' databases (SQLite and the store tests' private PostgreSQL) and two
replicas in one process on either."""

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from conftest import RunningSimulator
from replicas.replicas import TwoReplicas, two_replicas
from store.conftest import PostgresCluster, database_url, postgres, store

__all__ = ["database_url", "postgres", "store"]


@pytest.fixture
async def replicas(
    simulator: RunningSimulator, database_url: str, tmp_path: Path
) -> AsyncIterator[TwoReplicas]:
    """Two replicas on each kind of database."""
    async with two_replicas(simulator, database_url, tmp_path) as both:
        yield both


@pytest.fixture
async def replicas_on_postgresql(
    simulator: RunningSimulator, postgres: PostgresCluster, tmp_path: Path
) -> AsyncIterator[TwoReplicas]:
    """Two replicas on a fresh PostgreSQL database."""
    async with two_replicas(simulator, postgres.new_database(), tmp_path) as both:
        yield both
