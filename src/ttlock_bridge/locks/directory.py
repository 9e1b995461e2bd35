"""The doors of the configuration, and what the cloud says about their locks, cached.

Quota is money (DESIGN invariant 6): the lock list is fetched at most once per `LIST_TTL_S`
and a lock's detail (auto-lock time, MAC, passage mode) and passage-mode configuration once per
`DETAIL_TTL_S`, except when a caller asks for a fresh detail or `forget`s a lock it changed.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from ttlock_bridge.cloud import (
    LockDetail,
    LockSummary,
    PassageModeConfig,
    TTLockClient,
    TTLockError,
)
from ttlock_bridge.config import Config
from ttlock_bridge.store.grants import DoorRef

log = logging.getLogger("ttlock_bridge.locks")

LIST_TTL_S = 300.0
DETAIL_TTL_S = 3600.0
PASSAGE_MODE_FEATURE_BIT = 22
"""`featureValue` bit of a lock that has passage mode (reference §15)."""


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
        self._passage: dict[int, tuple[float, PassageModeConfig]] = {}

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

    async def mac(self, lock_id: int) -> str | None:
        """The lock's MAC (uppercase) as the cloud reports it, learnt from the lock list when not
        known yet (at most one list call per LIST_TTL_S); None when the account has no such lock.

        Raises `TTLockError` when the cloud cannot tell right now.
        """
        known = self.known_mac(lock_id)
        if known is not None:
            return known
        summary = (await self.summaries()).get(lock_id)
        return summary.lock_mac.upper() if summary and summary.lock_mac else None

    def forget(self, lock_id: int) -> None:
        """Drop what is cached of the lock's settings (after the bridge changed them)."""
        self._details.pop(lock_id, None)
        self._passage.pop(lock_id, None)

    async def relock_seconds(self, lock_id: int, unlocked_at_ms: int) -> int | None:
        """After an unlock at `unlocked_at_ms` (epoch ms), the seconds until the lock relocks by
        itself: its autoLockTime (reference §5.2). None when no relock may be inferred: auto-lock
        off, passage mode on at that moment (the lock stays open, §5.4), or either unknown
        because the cloud cannot tell right now (the reason is logged). The passage-mode
        configuration is asked only of a lock that has the feature (§15) and does not report
        it off in its detail.
        """
        try:
            detail = await self.detail(lock_id, fresh=False)
            if detail.auto_lock_time is None or detail.auto_lock_time <= 0:
                return None
            if detail.passage_mode is False or not detail.supports(PASSAGE_MODE_FEATURE_BIT):
                return detail.auto_lock_time
            passage = await self._passage_mode(lock_id)
        except TTLockError as error:
            log.warning(
                "event=auto_lock_not_inferred lock_id=%d reason=cloud_unavailable errcode=%s",
                lock_id,
                error.errcode,
            )
            return None
        open_now = passage_mode_active(passage, unlocked_at_ms, detail.timezone_raw_offset)
        if open_now is False:
            return detail.auto_lock_time
        reason = "passage_mode_on" if open_now else "passage_mode_unknown"
        log.info("event=auto_lock_not_inferred lock_id=%d reason=%s", lock_id, reason)
        return None

    async def _passage_mode(self, lock_id: int) -> PassageModeConfig:
        cached = self._passage.get(lock_id)
        now = self._monotonic()
        if cached is None or now - cached[0] > DETAIL_TTL_S:
            config = await self._cloud.passage_mode(lock_id)
            self._passage[lock_id] = (now, config)
            return config
        return cached[1]


def passage_mode_active(
    config: PassageModeConfig, at_ms: int, utc_offset_ms: int | None
) -> bool | None:
    """Whether passage mode holds the lock open at `at_ms` (epoch ms): True, False, or None when
    the configuration cannot tell (no week days, no period, no time zone of the lock).

    Periods are minutes of the day and week days 1 (Monday) to 7 in the lock's local time,
    which is UTC plus its `timezoneRawOffset` (reference §5.4, §17); an end before the start
    runs past midnight.
    """
    if config.passage_mode is not True:
        return False if config.passage_mode is False else None
    days = set(week_days(config))
    if not days or utc_offset_ms is None:
        return None
    local = datetime.fromtimestamp(at_ms / 1000, UTC) + timedelta(milliseconds=utc_offset_ms)
    if config.is_all_day:
        return local.isoweekday() in days
    start, end = config.start_date, config.end_date
    if start is None or end is None:
        return None
    minute = local.hour * 60 + local.minute
    if start <= end:
        return local.isoweekday() in days and start <= minute < end
    if minute >= start:
        return local.isoweekday() in days
    return (local - timedelta(days=1)).isoweekday() in days and minute < end


def week_days(config: PassageModeConfig) -> list[int]:
    """The configuration's week days (1 = Monday ... 7), sorted, from the list or the JSON text
    some answers carry (`"[1,2,3]"`, reference §5.4)."""
    days = config.week_days
    if isinstance(days, str):
        days = [int(day) for day in days.strip("[] ").split(",") if day.strip().isdigit()]
    return sorted(set(days or ()))
