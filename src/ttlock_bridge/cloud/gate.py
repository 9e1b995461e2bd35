"""Admission for commands that a gateway relays to a lock over Bluetooth.

A gateway handles one command per lock at a time (a second one gets -3003 "busy"), so commands
to the same lock queue behind an asyncio.Lock, while a semaphore bounds how many travel at once
across all locks. Other processes may drive the same gateways (`serve` replicas on one
database): `shared` turns, when given, serialise each lock's commands across them too. The
cloud layer knows only their shape (`SharedTurns`); the composition root hands in the store's.
"""

import asyncio
from collections import defaultdict
from collections.abc import AsyncIterator
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from typing import Protocol


class SharedTurns(Protocol):
    """One command at a time per lock among processes: `turn(lock_id)` is held for a whole
    command, after this process's own queue for that lock."""

    def turn(self, lock_id: int) -> AbstractAsyncContextManager[None]: ...


class RemoteGate:
    def __init__(self, concurrency: int, shared: SharedTurns | None = None) -> None:
        if concurrency < 1:
            raise ValueError("the remote concurrency limit must be at least 1")
        self.concurrency = concurrency
        self._per_lock: defaultdict[int, asyncio.Lock] = defaultdict(asyncio.Lock)
        self._slots = asyncio.Semaphore(concurrency)
        self._shared = shared

    @asynccontextmanager
    async def one_at_a_time(self, lock_id: int) -> AsyncIterator[None]:
        """Held for a whole command to `lock_id`, retries included: this process's turn in
        order of arrival, then the turn shared with other processes (if any)."""
        async with self._per_lock[lock_id]:
            if self._shared is None:
                yield
                return
            async with self._shared.turn(lock_id):
                yield

    def slot(self) -> asyncio.Semaphore:
        """Held while one attempt is in flight."""
        return self._slots
