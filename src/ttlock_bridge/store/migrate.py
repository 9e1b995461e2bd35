"""Alembic driven from code: the migrations ship inside the package, no alembic.ini needed.

Migrations run under a database-wide lock, so several processes started at once on one empty
database (two `serve`, or `serve` and a CLI command) migrate it once, one after the other: the
others wait, then find the schema current. PostgreSQL: a session advisory lock
(`pg_advisory_lock`, released when the process ends, even by a crash). SQLite: an exclusive
`flock` on a `<database>.migrate-lock` file beside the database file.
"""

from __future__ import annotations

import fcntl
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import Engine, text

MIGRATIONS_DIR = Path(__file__).parent / "migrations"

ADVISORY_LOCK_KEY = 0x74746C6B_62726467
"""The PostgreSQL advisory lock key of ttlock-bridge's migrations (`ttlkbrdg` as 8 bytes)."""


def alembic_config(engine: Engine) -> Config:
    """An Alembic configuration pointing at the packaged scripts and at `engine`."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.attributes["engine"] = engine
    return config


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Bring the schema up to `revision` (the newest by default); waits while another process
    migrates the same database."""
    with migration_lock(engine):
        command.upgrade(alembic_config(engine), revision)


def downgrade(engine: Engine, revision: str) -> None:
    """Take the schema back to `revision` (`base` drops every table)."""
    with migration_lock(engine):
        command.downgrade(alembic_config(engine), revision)


@contextmanager
def migration_lock(engine: Engine) -> Iterator[None]:
    """Hold the database's migration lock (module docstring) for the duration of the block;
    an in-memory SQLite database is private to its process and needs none."""
    if engine.dialect.name == "postgresql":
        with engine.connect() as connection:
            connection.execute(text("SELECT pg_advisory_lock(:key)"), {"key": ADVISORY_LOCK_KEY})
            connection.commit()
            try:
                yield
            finally:
                connection.execute(
                    text("SELECT pg_advisory_unlock(:key)"), {"key": ADVISORY_LOCK_KEY}
                )
                connection.commit()
        return
    database = engine.url.database
    if engine.dialect.name != "sqlite" or not database or database == ":memory:":
        yield
        return
    with Path(f"{database}.migrate-lock").open("a") as lock_file:
        fcntl.flock(lock_file, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock_file, fcntl.LOCK_UN)
