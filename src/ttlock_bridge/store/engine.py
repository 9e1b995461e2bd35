"""Opening the database: engine, sessions, and the schema brought up to date on start.

The store is synchronous on purpose: SQLAlchemy's async mode needs a driver per database
(aiosqlite is not a dependency), and every transaction here is a handful of tiny statements, so
async callers run them with `asyncio.to_thread` at no measurable cost.

A database that says no (SQLite locked by another process beyond the busy timeout, a read-only
file, PostgreSQL gone) raises one of `STORE_UNAVAILABLE`: a condition to retry later, never a
bug; `Store.write_problem()` tells whether a write would get through now.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import OperationalError, SQLAlchemyError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from sqlalchemy.orm import Session, sessionmaker

from ttlock_bridge.store.migrate import upgrade

log = logging.getLogger("ttlock_bridge.store")

_SQLITE_BUSY_TIMEOUT_MS = 5000
_PROBE_BUSY_TIMEOUT_MS = 200

STORE_UNAVAILABLE: tuple[type[Exception], ...] = (OperationalError, PoolTimeout)
"""What the database raises when it cannot serve now: locked, read-only, unreachable."""


@dataclass(frozen=True, slots=True)
class Store:
    """The database: `transaction()` gives a session that commits on success, rolls back on error.

    Objects stay readable after the transaction ends (no expiry on commit), so callers can
    return them from a worker thread.
    """

    engine: Engine
    sessions: sessionmaker[Session]

    @contextmanager
    def transaction(self) -> Iterator[Session]:
        with self.sessions.begin() as session:
            yield session

    def close(self) -> None:
        self.engine.dispose()

    def write_problem(self) -> str | None:
        """Why a write would fail right now, in words (e.g. "database is locked", "attempt to
        write a readonly database"), or None when it would get through. Waits at most
        `_PROBE_BUSY_TIMEOUT_MS` for an SQLite lock; changes nothing."""
        try:
            with self.engine.connect() as connection:
                if self.engine.dialect.name != "sqlite":
                    connection.execute(text("SELECT 1"))
                    return None
                connection.exec_driver_sql(f"PRAGMA busy_timeout = {_PROBE_BUSY_TIMEOUT_MS}")
                try:
                    version = connection.exec_driver_sql("PRAGMA user_version").scalar()
                    connection.exec_driver_sql("BEGIN IMMEDIATE")
                    # Writing the header's unchanged value fails on a read-only file, like any
                    # write; the rollback leaves the database as it was.
                    connection.exec_driver_sql(f"PRAGMA user_version = {int(version or 0)}")
                    connection.exec_driver_sql("ROLLBACK")
                finally:
                    connection.exec_driver_sql(f"PRAGMA busy_timeout = {_SQLITE_BUSY_TIMEOUT_MS}")
        except SQLAlchemyError as error:
            return unavailable_reason(error)
        return None


def unavailable_reason(error: Exception) -> str:
    """The database's own words for one of `STORE_UNAVAILABLE` (no SQL, no parameters)."""
    original = getattr(error, "orig", None)
    return str(original or type(error).__name__).splitlines()[0][:200]


def open_store(url: str) -> Store:
    """Connect to `url` (SQLite or PostgreSQL) and apply any pending migrations.

    A database that cannot take writes now is said in the log (`event=store_unavailable`);
    the service still starts, answers 503 where it must write, and `/readyz` reports it.
    """
    engine = _create_engine(url)
    upgrade(engine)
    store = Store(engine, sessionmaker(engine, expire_on_commit=False))
    problem = store.write_problem()
    if problem is not None:
        log.warning("event=store_unavailable at=start reason=%r", problem)
    return store


def _create_engine(url: str) -> Engine:
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite":
        return create_engine(parsed, pool_pre_ping=True)
    if parsed.database and parsed.database != ":memory:":
        Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(parsed)
    event.listen(engine, "connect", _tune_sqlite)
    return engine


def _tune_sqlite(connection: Any, _record: object) -> None:
    """Enforce foreign keys, let readers run beside the writer, and wait out short locks."""
    cursor = connection.cursor()
    cursor.execute("PRAGMA foreign_keys = ON")
    cursor.execute("PRAGMA journal_mode = WAL")
    cursor.execute(f"PRAGMA busy_timeout = {_SQLITE_BUSY_TIMEOUT_MS}")
    cursor.close()
