"""Lock clocks and time zones: the usual cause of "the app says the code is valid but the
keypad refuses it".

A lock judges a passcode by its own clock, kept in local time, and the cloud converts the
bridge's UTC times with the lock's `timezoneRawOffset`, taken from the phone when the lock was
added and not moved for daylight saving time (reference §17). Once every `[cloud] clock_check`
(default daily) each lock's clock is read (`lock/queryDate`, through the gateway) and compared
with TTLock's time: beyond `[cloud] clock_tolerance` (default 2 min) it is set
(`lock/updateDate`) and reported.

The offset is judged against every offset the property's zone uses in the year. Codes do not
depend on it: the cloud converts the bridge's UTC times with the same offset the lock's clock
runs on (both UTC + `timezoneRawOffset`), so a code opens at the right instant whatever the
offset, as long as the clock itself is right (which the check above sees as drift). What the
offset moves is lock-local minutes: passage-mode hours and the times the TTLock app shows. A
lock added in the other season (Berlin's winter UTC+1 in summer) is an hour off for those half
the year, which is how TTLock works and is not reported; an offset the zone never uses (a lock
added with a phone in another zone) is reported with what to do in the app, since the bridge
cannot change it.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from ttlock_bridge.cloud import TTLockClient, TTLockError
from ttlock_bridge.locks.directory import LockDirectory
from ttlock_bridge.locks.news import Announce
from ttlock_bridge.store.grants import DoorRef

log = logging.getLogger("ttlock_bridge.locks")

ZONE_GUIDANCE = (
    "the lock's time zone (UTC{lock}) is not the property's ({property}): its passage-mode "
    "hours and the times the TTLock app shows for it are {hours} off the property's clock "
    "(codes are not: they open at the right instant); in the TTLock app, open the lock, "
    "Settings -> Lock clock, and sync it from a phone set to the property's time zone"
)


@dataclass(frozen=True, slots=True)
class LockClock:
    """What the last check found: `drift_ms` is how far the lock's clock was ahead of TTLock's
    (negative: behind) before any correction; `corrected` when the bridge set it;
    `zone_problem` says what to do when the lock's time-zone offset is wrong (None: fine or
    unknown). `checked_at_ms` is UTC epoch ms."""

    drift_ms: int
    corrected: bool
    zone_problem: str | None
    checked_at_ms: int


class LockClocks:
    """Checks and corrects lock clocks; `of` answers what the last check found."""

    def __init__(
        self,
        directory: LockDirectory,
        cloud: TTLockClient,
        zone: ZoneInfo,
        tolerance_ms: int,
        announce: Announce,
    ) -> None:
        self._directory = directory
        self._cloud = cloud
        self._zone = zone
        self._tolerance_ms = tolerance_ms
        self._announce = announce
        self._clocks: dict[int, LockClock] = {}

    def of(self, lock_id: int) -> LockClock | None:
        return self._clocks.get(lock_id)

    async def check_all(self) -> None:
        """Check every door once (one gateway call each, two when a clock is set); a lock
        without a gateway is skipped, one whose gateway cannot be reached is logged and
        checked again next time."""
        try:
            summaries = await self._directory.summaries()  # the offsets (cached: usually no call)
        except TTLockError as error:
            log.warning("event=lock_list_unknown errcode=%s", error.errcode)
            summaries = {}
        for door in self._directory.doors():
            summary = summaries.get(door.lock_id)
            if summary is not None and summary.has_gateway is False:
                continue
            try:
                await self.check(door)
            except TTLockError as error:
                log.warning(
                    "event=lock_clock_unknown door=%s lock_id=%d errcode=%s",
                    door.door,
                    door.lock_id,
                    error.errcode,
                )

    async def check(self, door: DoorRef) -> LockClock:
        """Read the lock's clock, set it when it is off, and judge its time-zone offset."""
        asked_ms = self._cloud.server_now_ms()
        lock_ms = await self._cloud.lock_clock(door.lock_id)
        answered_ms = self._cloud.server_now_ms()
        drift_ms = lock_ms - (asked_ms + answered_ms) // 2
        corrected = abs(drift_ms) > self._tolerance_ms
        if corrected:
            await self._cloud.set_lock_clock(door.lock_id)
            log.warning(
                "event=lock_clock_set door=%s lock_id=%d drift_s=%d",
                door.door,
                door.lock_id,
                drift_ms // 1000,
            )
            await self._announce(door.lock_id, "clock set")
        found = LockClock(drift_ms, corrected, self._zone_problem(door, answered_ms), answered_ms)
        if found.zone_problem is not None:
            log.warning(
                "event=lock_zone_mismatch door=%s lock_id=%d guidance=%r",
                door.door,
                door.lock_id,
                found.zone_problem,
            )
        self._clocks[door.lock_id] = found
        return found

    def _zone_problem(self, door: DoorRef, at_ms: int) -> str | None:
        summary = self._directory.cached_summary(door.lock_id)
        if summary is None or summary.timezone_raw_offset is None:
            return None
        year = datetime.fromtimestamp(at_ms / 1000, UTC).year
        offsets = zone_offsets_ms(self._zone, year)
        lock_ms = summary.timezone_raw_offset
        if lock_ms in offsets:
            return None
        nearest = min(offsets, key=lambda offset: abs(offset - lock_ms))
        return ZONE_GUIDANCE.format(
            lock=_hours(lock_ms),
            property=" or ".join(f"UTC{_hours(offset)}" for offset in offsets),
            hours=_span(lock_ms - nearest),
        )


def zone_offsets_ms(zone: ZoneInfo, year: int) -> list[int]:
    """Every UTC offset (ms) `zone` uses during `year`, smallest first: one for a zone without
    daylight saving time, two for Berlin (+1 h, +2 h). Sampled twice a month: zones change
    their offset a few times a year at most, never for less than half a month."""
    found = set()
    for month in range(1, 13):
        for day in (1, 15):
            offset = datetime(year, month, day, 12, tzinfo=zone).utcoffset()
            found.add(int(offset.total_seconds() * 1000) if offset is not None else 0)
    return sorted(found)


def _hours(offset_ms: int) -> str:
    sign = "+" if offset_ms >= 0 else "-"
    minutes = abs(offset_ms) // 60_000
    return f"{sign}{minutes // 60}" + (f":{minutes % 60:02d}" if minutes % 60 else "")


def _span(difference_ms: int) -> str:
    minutes = abs(difference_ms) // 60_000
    hours, rest = divmod(minutes, 60)
    return f"{hours} h" + (f" {rest} min" if rest else "")
