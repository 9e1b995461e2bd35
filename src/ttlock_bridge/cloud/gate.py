"""Admission for commands that a gateway relays to a lock over Bluetooth.

A gateway handles one command per lock at a time (a second one gets -3003 "busy"), so commands
to the same lock queue behind an asyncio.Lock, while a semaphore bounds how many travel at once
across all locks.
"""

import asyncio
from collections import defaultdict


class RemoteGate:
    def __init__(self, concurrency: int) -> None:
        if concurrency < 1:
            raise ValueError("the remote concurrency limit must be at least 1")
        self.concurrency = concurrency
        self._per_lock: defaultdict[int, asyncio.Lock] = defaultdict(asyncio.Lock)
        self._slots = asyncio.Semaphore(concurrency)

    def one_at_a_time(self, lock_id: int) -> asyncio.Lock:
        """Held for a whole command to `lock_id`, retries included."""
        return self._per_lock[lock_id]

    def slot(self) -> asyncio.Semaphore:
        """Held while one attempt is in flight."""
        return self._slots
