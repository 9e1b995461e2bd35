"""Migrations build exactly the tables the models describe, and can be undone and redone."""

from __future__ import annotations

from pathlib import Path

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import create_engine, inspect

from ttlock_bridge.store import open_store
from ttlock_bridge.store.migrate import downgrade, upgrade
from ttlock_bridge.store.models import Base

TABLES = {
    "grants",
    "grant_doors",
    "placements",
    "tokens",
    "cloud_calls",
    "events",
    "write_guards",
    "idempotency_keys",
    "auth_refusals",
    "operators",
    "console_sessions",
    "operator_actions",
    "booking_feeds",
    "bookings",
    "booking_events",
}


def differences(url: str) -> list[object]:
    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            return list(compare_metadata(MigrationContext.configure(connection), Base.metadata))
    finally:
        engine.dispose()


def table_names(url: str) -> set[str]:
    engine = create_engine(url)
    try:
        return set(inspect(engine).get_table_names()) - {"alembic_version"}
    finally:
        engine.dispose()


def test_open_store_migrates_an_empty_database_to_match_the_models(database_url: str) -> None:
    open_store(database_url).close()

    assert table_names(database_url) == TABLES
    assert differences(database_url) == []


def test_downgrade_to_base_and_upgrade_again(database_url: str) -> None:
    engine = create_engine(database_url)
    try:
        upgrade(engine)
        downgrade(engine, "base")
        assert table_names(database_url) == set()

        upgrade(engine)
        assert table_names(database_url) == TABLES
        assert differences(database_url) == []
    finally:
        engine.dispose()


def test_opening_twice_is_harmless(database_url: str) -> None:
    open_store(database_url).close()
    open_store(database_url).close()

    assert table_names(database_url) == TABLES


def test_sqlite_data_directory_is_created(tmp_path: Path) -> None:
    target = tmp_path / "data" / "nested" / "bridge.db"
    open_store(f"sqlite:///{target}").close()

    assert target.is_file()
