"""The doors of the configuration, and what the cloud says about their locks, cached.

Quota is money (DESIGN invariant 6): the lock list is fetched at most once per `LIST_TTL_S`
and a lock's detail (auto-lock time, MAC) once per `DETAIL_TTL_S`, except when a caller asks
for a fresh detail.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable

from ttlock_bridge.cloud import LockDetail, LockSummary, TTLockClient, TTLockError
from ttlock_bridge.config import Config
from ttlock_bridge.store.grants import DoorRef

log = logging.getLogger("ttlock_bridge.locks")

LIST_TTL_S = 300.0
DETAIL_TTL_S = 3600.0


class DoorNotFound(LookupError):
    """No configured door has this name or lockId."""

    def __init__(self, reference: str) -> None:
        self.reference = reference
        super().__init__(f"no door named or numbered {reference!r} in the configuration")


class LockDirectory:
    """Configured doors, resolved by name or lockId, with cached cloud facts about their locks."""

    def __init__(
        self, config: Config, cloud: TTLockClient, monotonic: Callable[[], float] = time.monotonic
    ) -> None:
        self._doors = {name: DoorRef(name, door.lock_id) for name, door in config.doors.items()}
        self._by_lock = {door.lock_id: door for door in self._doors.values()}
        self._cloud = cloud
        self._monotonic = monotonic
        self._summaries: dict[int, LockSummary] = {}
        self._summaries_at: float | None = None
        self._details: dict[int, tuple[float, LockDetail]] = {}

    def doors(self) -> list[DoorRef]:
        return list(self._doors.values())

    def resolve(self, reference: str) -> DoorRef:
        """The door called `reference`, or whose lockId it is."""
        door = self._doors.get(reference)
        if door is None and reference.isascii() and reference.isdigit():
            door = self._by_lock.get(int(reference))
        if door is None:
            raise DoorNotFound(reference)
        return door

    def door_of(self, lock_id: int) -> DoorRef | None:
        return self._by_lock.get(lock_id)

    def known_mac(self, lock_id: int) -> str | None:
        """The lock's MAC as last fetched (uppercase), without calling the cloud."""
        cached = self._details.get(lock_id)
        summary = cached[1] if cached else self._summaries.get(lock_id)
        return summary.lock_mac.upper() if summary and summary.lock_mac else None

    async def summaries(self, *, fresh: bool = False) -> dict[int, LockSummary]:
        """Every lock of the account by lockId (cached for LIST_TTL_S unless `fresh`)."""
        now = self._monotonic()
        if fresh or self._summaries_at is None or now - self._summaries_at > LIST_TTL_S:
            self._summaries = {lock.lock_id: lock async for lock in self._cloud.locks()}
            self._summaries_at = now
        return self._summaries

    async def detail(self, lock_id: int, *, fresh: bool = True) -> LockDetail:
        """The lock's detail: fetched now, or from the cache when `fresh` is False."""
        cached = self._details.get(lock_id)
        now = self._monotonic()
        if fresh or cached is None or now - cached[0] > DETAIL_TTL_S:
            detail = await self._cloud.lock_detail(lock_id)
            self._details[lock_id] = (now, detail)
            return detail
        return cached[1]

    async def auto_lock_seconds(self, lock_id: int) -> int | None:
        """The lock's autoLockTime in seconds (0 or less: off) from the cached detail; None
        when the cloud cannot tell right now (only the auto-lock inference is lost then)."""
        try:
            return (await self.detail(lock_id, fresh=False)).auto_lock_time
        except TTLockError as error:
            log.warning(
                "event=auto_lock_time_unknown lock_id=%d errcode=%s", lock_id, error.errcode
            )
            return None
