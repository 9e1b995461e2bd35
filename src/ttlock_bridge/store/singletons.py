"""Jobs one replica runs for all (the nightly cleanup, the gateway poll, the lock clock check):
which replica runs each.

On PostgreSQL a job is the replica's that holds its advisory lock (space `tlk2`, the key a
CRC-32 of the job's name: the same in every version and replica). A replica takes every job
nobody holds at start and every `KEEP_EVERY_S` after (`keep_forever`), and asks before each run
(`runs_here`) whether it still holds it; a replica that dies loses its jobs with its session, and
another takes them within `KEEP_EVERY_S`. On SQLite there is one `serve` (`store.serve_lock`):
every job is this replica's.

While PostgreSQL cannot be reached no replica runs a job (`runs_here` is False): they are reads
and upkeep that can wait, and whoever holds them when it answers again runs them next time.
"""

from __future__ import annotations

import asyncio
import logging
import zlib
from collections.abc import Sequence
from typing import Final

import psycopg

from ttlock_bridge.store.advisory import AdvisorySession, failure_reason
from ttlock_bridge.store.engine import Store

log = logging.getLogger("ttlock_bridge.store")

SINGLETONS: Final = 0x746C6B32
"""The advisory-lock space of the jobs one replica runs (`tlk2`)."""
KEEP_EVERY_S: Final = 10.0
"""How often a replica takes the jobs nobody holds: the longest a dead replica's jobs wait."""


class Singletons:
    """Which of `jobs` this replica (`replica`) runs, and who runs the others."""

    def __init__(self, session: AdvisorySession | None, replica: str, jobs: Sequence[str]) -> None:
        """`session`: the replica's own advisory-lock session on PostgreSQL; None on SQLite."""
        self.replica = replica
        self._session = session
        self._keys = {job: zlib.crc32(job.encode()) for job in jobs}
        self._held: set[str] = set()
        self._unreachable = False  # PostgreSQL did not answer the last question (said once)

    @classmethod
    def of(cls, store: Store, replica: str, jobs: Sequence[str]) -> Singletons:
        return cls(AdvisorySession.of(store, replica), replica, jobs)

    async def runs_here(self, job: str) -> bool:
        """Whether this replica runs `job` now: it holds the job, or takes it as nobody does."""
        if self._session is None:
            return True
        key = self._keys[job]
        try:
            if job in self._held and await self._session.holds(SINGLETONS, key):
                return True
            self._held.discard(job)  # a lost session lost it
            taken = await self._session.try_lock(SINGLETONS, key)
        except (psycopg.Error, OSError) as error:
            if not self._unreachable:
                log.warning("event=singletons_unknown reason=%r", failure_reason(error))
            self._unreachable = True
            return False
        self._unreachable = False
        if not taken:
            return False
        self._held.add(job)
        log.info("event=singleton_taken job=%r replica=%s", job, self.replica)
        return True

    async def holders(self) -> dict[str, str | None]:
        """Each job and the replica that runs it (None: nobody now). Raises psycopg's errors
        when PostgreSQL cannot be reached."""
        if self._session is None:
            return dict.fromkeys(self._keys, self.replica)
        held = await self._session.holders(SINGLETONS)
        return {job: held.get(key) for job, key in self._keys.items()}

    async def keep_forever(self) -> None:
        """Take every job nobody holds, now and every `KEEP_EVERY_S`, until cancelled."""
        if self._session is None:
            return
        while True:
            for job in self._keys:
                await self.runs_here(job)
            await asyncio.sleep(KEEP_EVERY_S)

    async def close(self) -> None:
        """End the session: every job this replica holds is free for the others."""
        if self._session is not None:
            await self._session.close()
