"""A replica's PostgreSQL session for advisory locks: who may command a lock, who runs a
singleton.

PostgreSQL releases the advisory locks of a session when the session ends, however it ends (a
replica killed with SIGKILL, a lost network): no lock outlives its holder, nothing is left to
clear by hand. Each replica keeps one such session (psycopg, async, autocommit), named after
the replica (`application_name`), so `holders` can tell which replica holds which key
(`pg_locks` joined to `pg_stat_activity`). Its statements take microseconds and run one at a
time; a lost connection is made again at the next statement, without the locks it held.

Keys are PostgreSQL's two-integer form (`space`, `key`), whose key space does not overlap the
single-bigint one the migrations lock uses (`store.migrate`).
"""

from __future__ import annotations

import asyncio
import logging
from typing import Final, cast

import psycopg
from sqlalchemy.engine import make_url

from ttlock_bridge.store.engine import Store

log = logging.getLogger("ttlock_bridge.store")

CONNECT_TIMEOUT_S: Final = 5
INT4: Final = 2**32


class AdvisorySession:
    """The advisory locks one replica holds, on a session of its own."""

    def __init__(self, url: str, replica: str) -> None:
        """`url`: the store's PostgreSQL URL (SQLAlchemy's form); `replica`: this process's
        name (`store.replica.replica_name`)."""
        self.replica = replica
        self._conninfo = make_url(url).set(drivername="postgresql").render_as_string(False)
        self._connection: psycopg.AsyncConnection[tuple[object, ...]] | None = None
        self._one_at_a_time = asyncio.Lock()

    @classmethod
    def of(cls, store: Store, replica: str) -> AdvisorySession | None:
        """The session for `store` when it is PostgreSQL; None for SQLite (one process)."""
        if store.engine.dialect.name != "postgresql":
            return None
        return cls(store.engine.url.render_as_string(hide_password=False), replica)

    async def try_lock(self, space: int, key: int) -> bool:
        """Take the lock (`space`, `key`) if no other session holds it; never waits. Taken
        twice, it must be given back twice (PostgreSQL counts)."""
        row = await self._fetch_one(
            "SELECT pg_try_advisory_lock(%s, %s)", (to_int4(space), to_int4(key))
        )
        return bool(row and row[0])

    async def unlock(self, space: int, key: int) -> None:
        await self._fetch_one("SELECT pg_advisory_unlock(%s, %s)", (to_int4(space), to_int4(key)))

    async def holds(self, space: int, key: int) -> bool:
        """Whether this session holds (`space`, `key`) now (a lost connection lost it)."""
        row = await self._fetch_one(
            "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND granted "
            "AND pid = pg_backend_pid() AND classid = %s AND objid = %s AND objsubid = 2",
            (space % INT4, key % INT4),
        )
        return bool(row and row[0])

    async def holders(self, space: int) -> dict[int, str]:
        """Each key of `space` held now, by any replica of this database (a server may hold
        other properties' databases, whose replicas take the same keys), and its name."""
        async with self._one_at_a_time:
            connection = await self._connect()
            try:
                cursor = await connection.execute(
                    "SELECT l.objid, a.application_name FROM pg_locks l "
                    "JOIN pg_stat_activity a ON a.pid = l.pid "
                    "WHERE l.locktype = 'advisory' AND l.granted AND l.objsubid = 2 "
                    "AND l.classid = %s AND l.database = "
                    "(SELECT oid FROM pg_database WHERE datname = current_database())",
                    (space % INT4,),
                )
                rows = await cursor.fetchall()
            except psycopg.Error:
                await self._drop()
                raise
        return {int(cast(int, key)): str(name) for key, name in rows}

    async def close(self) -> None:
        async with self._one_at_a_time:
            await self._drop()

    async def _fetch_one(self, sql: str, params: tuple[int, ...]) -> tuple[object, ...] | None:
        async with self._one_at_a_time:
            connection = await self._connect()
            try:
                cursor = await connection.execute(sql, params)
                return await cursor.fetchone()
            except psycopg.Error:
                await self._drop()
                raise

    async def _connect(self) -> psycopg.AsyncConnection[tuple[object, ...]]:
        if self._connection is None or self._connection.closed:
            self._connection = await psycopg.AsyncConnection.connect(
                self._conninfo,
                autocommit=True,
                application_name=self.replica,
                connect_timeout=CONNECT_TIMEOUT_S,
            )
        return self._connection

    async def _drop(self) -> None:
        """Forget the connection (its locks go with it, on the server's side)."""
        connection, self._connection = self._connection, None
        if connection is not None and not connection.closed:
            try:
                await connection.close()
            except psycopg.Error:
                log.debug("closing a broken advisory-lock session failed", exc_info=True)


def to_int4(value: int) -> int:
    """`value` as the signed 32-bit integer PostgreSQL's two-key advisory locks take (a lockId
    above 2**31 wraps around; ids differ in their low 32 bits)."""
    return (value + 2**31) % INT4 - 2**31


def failure_reason(error: Exception) -> str:
    """The first line of what the driver or the system said, for the log."""
    return (str(error).splitlines() or [type(error).__name__])[0][:200]
