"""Cloud API usage kept across restarts: the client counts calls in memory, this copies the
new counts into the store's `cloud_calls` table (quota is money, DESIGN invariant 6)."""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass

from ttlock_bridge.cloud import TTLockClient
from ttlock_bridge.store import Store
from ttlock_bridge.store.cloud_calls import call_periods, cloud_call_counts, record_cloud_calls


@dataclass(frozen=True, slots=True)
class Usage:
    """Calls per endpoint today and this month (UTC), including earlier runs of the service."""

    day: str
    month: str
    today: dict[str, int]
    this_month: dict[str, int]


class CloudUsage:
    """Moves the client's call counts into the store; `flush` is cheap and safe to repeat.

    Counts made after the last flush of a UTC day are lost if the process stops before the
    next one, so the service flushes every minute and at shutdown.
    """

    def __init__(self, store: Store, cloud: TTLockClient) -> None:
        self._store = store
        self._cloud = cloud
        self._day = ""
        self._flushed: dict[str, int] = {}
        self._lock = asyncio.Lock()

    async def flush(self) -> None:
        async with self._lock:
            snapshot = self._cloud.quota()
            if snapshot.day != self._day:
                self._day, self._flushed = snapshot.day, {}
            new_calls = {
                endpoint: count - self._flushed.get(endpoint, 0)
                for endpoint, count in snapshot.today.items()
                if count > self._flushed.get(endpoint, 0)
            }
            if new_calls:
                await asyncio.to_thread(self._record, new_calls)
                self._flushed = dict(snapshot.today)

    async def usage(self) -> Usage:
        await self.flush()
        return await asyncio.to_thread(self._read)

    def _record(self, new_calls: dict[str, int]) -> None:
        now_ms = int(time.time() * 1000)
        with self._store.transaction() as session:
            for endpoint, calls in new_calls.items():
                record_cloud_calls(session, endpoint, now_ms, calls)

    def _read(self) -> Usage:
        day, month = call_periods(int(time.time() * 1000))
        with self._store.transaction() as session:
            return Usage(
                day, month, cloud_call_counts(session, day), cloud_call_counts(session, month)
            )
