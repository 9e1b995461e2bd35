"""One gateway command at a time per lock across `serve` replicas: a PostgreSQL advisory lock
per lockId.

The cloud client queues each lock's commands in its own process first (`cloud.gate`); the
command at the head of that queue then takes the lock's turn here, shared by every replica, and
holds it for the whole command (its retries included). A turn another replica holds is asked
for again every `POLL_S`: the wait costs a statement of microseconds, never a connection or a
thread per waiting command. A replica that dies loses its turns with its session at once.

While PostgreSQL cannot be reached, commands go on with this process's own queue only (a remote
unlock must not wait for the database), and the log says so once: two replicas may then meet
at a lock, whose gateway answers "busy" (-3003) and the command is retried.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from typing import Final

import psycopg

from ttlock_bridge.store.advisory import AdvisorySession, failure_reason
from ttlock_bridge.store.engine import Store

log = logging.getLogger("ttlock_bridge.store")

LOCK_TURNS: Final = 0x746C6B31
"""The advisory-lock space of the locks' command turns (`tlk1`); the key is the lockId."""
POLL_S: Final = 0.05
"""How often a turn another replica holds is asked for again: a small share of the 0.3 s or
more a gateway command takes."""


class LockTurns:
    """`cloud.gate.SharedTurns` on the replica's advisory-lock session."""

    def __init__(self, session: AdvisorySession) -> None:
        self._session = session
        self._unshared = False  # PostgreSQL was out of reach at the last try (said once)
        self._giving_back: set[asyncio.Task[None]] = set()

    @classmethod
    def of(cls, store: Store, replica: str) -> LockTurns | None:
        """The turns of replica `replica` on `store` when it is PostgreSQL; None for SQLite
        (one `serve`: the client's own queue is enough)."""
        session = AdvisorySession.of(store, replica)
        return None if session is None else cls(session)

    async def close(self) -> None:
        """End the session: every turn this replica holds is given back."""
        await self._session.close()

    @asynccontextmanager
    async def turn(self, lock_id: int) -> AsyncIterator[None]:
        """Hold `lock_id`'s turn for the block (waiting while another replica holds it)."""
        taken = await self._take(lock_id)
        try:
            yield
        finally:
            if taken:
                # given back even when the command was cancelled (a turn kept would stop the
                # other replicas' commands to this lock until this process ends)
                await asyncio.shield(self._give_back(lock_id))

    async def _take(self, lock_id: int) -> bool:
        """True once the turn is ours; False when PostgreSQL cannot be reached (no turn)."""
        while True:
            attempt = asyncio.ensure_future(self._session.try_lock(LOCK_TURNS, lock_id))
            try:
                got = await asyncio.shield(attempt)
            except asyncio.CancelledError:
                attempt.add_done_callback(self._give_back_if_taken(lock_id))
                raise
            except (psycopg.Error, OSError) as error:
                if not self._unshared:
                    log.warning(
                        "event=lock_turns_unshared lock_id=%d reason=%r: commands are serialised "
                        "in this replica only until PostgreSQL answers",
                        lock_id,
                        failure_reason(error),
                    )
                self._unshared = True
                return False
            if self._unshared:
                log.info("event=lock_turns_shared_again")
                self._unshared = False
            if got:
                return True
            await asyncio.sleep(POLL_S)

    async def _give_back(self, lock_id: int) -> None:
        with contextlib.suppress(psycopg.Error, OSError):  # else the session is gone, and
            await self._session.unlock(LOCK_TURNS, lock_id)  # its locks with it

    def _give_back_if_taken(self, lock_id: int) -> Callable[[asyncio.Future[bool]], None]:
        """A callback for a try that a cancellation left running: if it took the turn, give
        it back."""

        def done(attempt: asyncio.Future[bool]) -> None:
            if not attempt.cancelled() and attempt.exception() is None and attempt.result():
                task = asyncio.ensure_future(self._give_back(lock_id))
                self._giving_back.add(task)
                task.add_done_callback(self._giving_back.discard)

        return done
