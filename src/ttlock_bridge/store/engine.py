"""Opening the database: engine, sessions, and the schema brought up to date on start.

The store is synchronous on purpose: SQLAlchemy's async mode needs a driver per database
(aiosqlite is not a dependency), and every transaction here is a handful of tiny statements, so
async callers run them with `asyncio.to_thread` at no measurable cost.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker

from ttlock_bridge.store.migrate import upgrade

_SQLITE_BUSY_TIMEOUT_MS = 5000


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


def open_store(url: str) -> Store:
    """Connect to `url` (SQLite or PostgreSQL) and apply any pending migrations."""
    engine = _create_engine(url)
    upgrade(engine)
    return Store(engine, sessionmaker(engine, expire_on_commit=False))


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
