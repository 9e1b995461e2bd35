"""The doors of the configuration, and what the cloud says about their locks, cached.

Quota is money (DESIGN invariant 6): a read is served from the cache whenever it holds a value,
whatever its age; the cloud is asked only when nothing is cached yet or a caller asks for a
fresh read (`fresh=True`: the refresh every `[cloud] detail_refresh`, the gateway poll;
`max_age_s`: `?refresh=true` on the API, a minute at most). A read that failed is not repeated
for `FAILED_READ_MEMORY_MS` unless asked fresh. A refresh reads a door's detail only when the
lock list shows new settings or it is a day old. The door-to-gateway links, which change only
when someone pairs a gateway, are read once and again only when asked; a lock's passage-mode
configuration is kept an hour at most (its cached detail's flag is updated when the bridge
changes it). The auto-lock inference uses only what is cached: an unlock costs no read. Every
cached value remembers when it was fetched, so answers can say how old they are.
"""

from __future__ import annotations

import asyncio
import logging
from collections import defaultdict
from collections.abc import AsyncIterator, Awaitable, Callable, Hashable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Generic, TypeGuard, TypeVar

from ttlock_bridge.clock import Clock
from ttlock_bridge.cloud import (
    Gateway,
    LockDetail,
    LockGateway,
    LockSummary,
    PassageModeConfig,
    TTLockClient,
    TTLockError,
)
from ttlock_bridge.config import Config
from ttlock_bridge.locks.state import AutoLock, AutoLockTime
from ttlock_bridge.store.grants import DoorRef

log = logging.getLogger("ttlock_bridge.locks")

T = TypeVar("T")

PASSAGE_MODE_FEATURE_BIT = 22
"""`featureValue` bit of a lock that has passage mode (reference §15)."""
FAILED_READ_MEMORY_MS = 10_000
"""A read that failed is not tried again for this long unless asked for fresh: while TTLock is
down, a burst of reads of a door whose detail was never cached (a dashboard opening, several
Home Assistant sensors polling at once) costs one failed read with its in-call retries, not one
per request."""
DETAIL_MAX_AGE_MS = 24 * 3_600_000
"""A lock's detail (auto-lock time, firmware, settings) is read again at a refresh once it is a
day old, even when its lock-list entry did not change."""
PASSAGE_MODE_MAX_AGE_S = 3600
LOCK_LIST = "lock list"
"""The lock list's key among the cached values."""
"""Passage mode switched on in the TTLock app is seen within an hour (docs/lock-state.md)."""

BatteryRead = Callable[[int, int, int], Awaitable[None]]
"""Told of every battery level a fresh read brought: lockId, percent, UTC epoch ms of the
reading (`electricQuantityUpdateDate`, else when it was read)."""


@dataclass(frozen=True, slots=True)
class Fetched(Generic[T]):
    """A value read from the cloud at `at_ms` (UTC epoch ms)."""

    value: T
    at_ms: int


class DoorNotFound(LookupError):
    """No configured door has this name or lockId."""

    def __init__(self, reference: str) -> None:
        self.reference = reference
        super().__init__(f"no door named or numbered {reference!r} in the configuration")


class LockDirectory:
    """Configured doors, resolved by name or lockId, with cached cloud facts about their locks."""

    def __init__(
        self, config: Config, cloud: TTLockClient, clock: Clock, on_battery: BatteryRead
    ) -> None:
        self._doors = {name: DoorRef(name, door.lock_id) for name, door in config.doors.items()}
        self._by_lock = {door.lock_id: door for door in self._doors.values()}
        self._cloud = cloud
        self._clock = clock
        self._on_battery = on_battery
        self._summaries: Fetched[dict[int, LockSummary]] | None = None
        self._details: dict[int, Fetched[LockDetail]] = {}
        self._gateways: Fetched[dict[int, Gateway]] | None = None
        self._gateway_links: dict[int, Fetched[list[LockGateway]]] = {}
        self._passage: dict[int, Fetched[PassageModeConfig]] = {}
        self._fetching: defaultdict[Hashable, asyncio.Lock] = defaultdict(asyncio.Lock)
        self._failed: dict[Hashable, tuple[int, TTLockError]] = {}

    def doors(self) -> list[DoorRef]:
        return list(self._doors.values())

    def resolve(self, reference: str) -> DoorRef:
        """The door called `reference`, or whose lockId it is; `DoorNotFound` otherwise."""
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
        summary = cached.value if cached else self.cached_summary(lock_id)
        return summary.lock_mac.upper() if summary and summary.lock_mac else None

    def cached_detail(self, lock_id: int) -> LockDetail | None:
        """The lock's detail as last fetched (model, firmware...), without calling the cloud."""
        cached = self._details.get(lock_id)
        return cached.value if cached else None

    def cached_summaries(self) -> dict[int, LockSummary] | None:
        """Every lock as the last lock list described them, None before the first list read;
        never calls the cloud."""
        return self._summaries.value if self._summaries else None

    def lock_list_failure(self) -> TTLockError | None:
        """Why the last read of the lock list failed, None when it worked (or never ran)."""
        failed = self._failed.get(LOCK_LIST)
        return failed[1] if failed else None

    def cached_summary(self, lock_id: int) -> LockSummary | None:
        """The lock as the last lock list described it, without calling the cloud."""
        return self._summaries.value.get(lock_id) if self._summaries else None

    async def summaries(
        self, *, fresh: bool = False, max_age_s: float | None = None
    ) -> dict[int, LockSummary]:
        """Every lock of the account by lockId; read again when `fresh`, or when older than
        `max_age_s` seconds if that is given."""
        previous = self._summaries
        self._summaries = await self._read(
            LOCK_LIST,
            lambda: self._summaries,
            fresh,
            lambda: _keyed(self._cloud.locks(), lambda lock: lock.lock_id),
            max_age_ms=_ms(max_age_s),
        )
        if self._summaries is not previous:
            for summary in self._summaries.value.values():
                await self._tell_battery(summary, self._summaries.at_ms)
        return self._summaries.value

    def summaries_at_ms(self) -> int | None:
        """When the lock list was last fetched (UTC epoch ms), None before the first time."""
        return self._summaries.at_ms if self._summaries else None

    async def detail(
        self, lock_id: int, *, fresh: bool = False, max_age_s: float | None = None
    ) -> Fetched[LockDetail]:
        """The lock's detail (read when none is cached, when `fresh`, or when older than
        `max_age_s` seconds if that is given)."""
        previous = self._details.get(lock_id)
        fetched = await self._read(
            ("detail", lock_id),
            lambda: self._details.get(lock_id),
            fresh,
            lambda: self._cloud.lock_detail(lock_id),
            max_age_ms=_ms(max_age_s),
        )
        self._details[lock_id] = fetched
        if fetched is not previous:
            await self._tell_battery(fetched.value, fetched.at_ms)
        return fetched

    async def gateways(
        self, *, fresh: bool = False, max_age_s: float | None = None
    ) -> dict[int, Gateway]:
        """The account's gateways by gatewayId (read when none is cached, when `fresh`, or when
        older than `max_age_s` seconds if that is given)."""
        self._gateways = await self._read(
            "gateway list",
            lambda: self._gateways,
            fresh,
            lambda: _keyed(self._cloud.gateways(), lambda gateway: gateway.gateway_id),
            max_age_ms=_ms(max_age_s),
        )
        return self._gateways.value

    async def gateways_of_lock(
        self, lock_id: int, *, fresh: bool = False, max_age_s: float | None = None
    ) -> list[LockGateway]:
        """The gateways that reach this lock (read once, and again when `fresh` or older than
        `max_age_s` seconds if that is given)."""
        self._gateway_links[lock_id] = await self._read(
            ("gateway links", lock_id),
            lambda: self._gateway_links.get(lock_id),
            fresh,
            lambda: self._cloud.gateways_of_lock(lock_id),
            max_age_ms=_ms(max_age_s),
        )
        return self._gateway_links[lock_id].value

    async def mac(self, lock_id: int) -> str | None:
        """The lock's MAC (uppercase) as the cloud reports it, learnt from the lock list when not
        known yet (one list call when none is cached); None when the account has no such lock.

        Raises `TTLockError` when the cloud cannot tell right now.
        """
        known = self.known_mac(lock_id)
        if known is not None:
            return known
        summary = (await self.summaries()).get(lock_id)
        return summary.lock_mac.upper() if summary and summary.lock_mac else None

    def cached_gateway_ids(self, lock_id: int) -> frozenset[int] | None:
        """The gatewayIds that reach the lock as last read, without calling the cloud; None
        when they were never read (or forgotten since)."""
        links = self._gateway_links.get(lock_id)
        return None if links is None else frozenset(link.gateway_id for link in links.value)

    def forget_gateway_links(self, lock_id: int) -> None:
        """Read the lock's gateways again when next needed (it may have been re-paired)."""
        self._gateway_links.pop(lock_id, None)

    def passage_mode_changed(self, lock_id: int, *, enabled: bool) -> None:
        """The bridge changed the lock's passage mode: its cached detail says so at once (the
        auto-lock inference reads it; no detail call), and the configuration is read again
        when next needed."""
        cached = self._details.get(lock_id)
        if cached is not None:
            detail = cached.value.model_copy(update={"passage_mode": enabled})
            self._details[lock_id] = Fetched(detail, cached.at_ms)
        self._passage.pop(lock_id, None)

    async def relock_seconds(self, lock_id: int, unlocked_at_ms: int) -> AutoLockTime:
        """After an unlock at `unlocked_at_ms` (epoch ms), how the lock relocks by itself (see
        `AutoLockTime`): its autoLockTime in seconds (reference §5.2); None when it does not:
        auto-lock off (0 or -1), or passage mode on at that moment (the lock stays open, §5.4);
        `AutoLock.UNKNOWN` when nobody can tell: the detail has no autoLockTime (older locks),
        passage mode is on but its periods cannot tell, or the cloud cannot answer right now.
        Each unknown or held-open case is logged with its reason. Only the cached detail is
        used (an unlock never costs a detail call; none cached yet is unknown, until the next
        refresh reads it). The passage-mode configuration is asked only of a lock that has the
        feature (§15) and does not report it off in its detail.
        """
        detail = self.cached_detail(lock_id)
        if detail is None:
            log.info("event=auto_lock_not_inferred lock_id=%d reason=detail_not_read_yet", lock_id)
            return AutoLock.UNKNOWN
        try:
            if detail.auto_lock_time is None:
                log.info(
                    "event=auto_lock_not_inferred lock_id=%d reason=auto_lock_time_unknown", lock_id
                )
                return AutoLock.UNKNOWN
            if detail.auto_lock_time <= 0:
                return None
            if detail.passage_mode is False or not detail.supports(PASSAGE_MODE_FEATURE_BIT):
                return detail.auto_lock_time
            passage = (await self.passage_mode(lock_id)).value
        except TTLockError as error:
            log.warning(
                "event=auto_lock_not_inferred lock_id=%d reason=cloud_unavailable errcode=%s",
                lock_id,
                error.errcode,
            )
            return AutoLock.UNKNOWN
        open_now = passage_mode_active(passage, unlocked_at_ms, detail.timezone_raw_offset)
        if open_now is False:
            return detail.auto_lock_time
        reason = "passage_mode_on" if open_now else "passage_mode_unknown"
        log.info("event=auto_lock_not_inferred lock_id=%d reason=%s", lock_id, reason)
        return None if open_now else AutoLock.UNKNOWN

    async def refresh(self) -> None:
        """Read the lock list (at start, then every `detail_refresh`: 1 call), and a door's
        detail only when none is cached, when its list entry changed (other than the battery),
        or when it is `DETAIL_MAX_AGE_MS` old: a lock's settings change only when someone
        changes them in the app, and the list already brings the battery with its date.
        A failure is logged and the old values stay; one lock that fails does not keep the
        others from being read."""
        before = self._summaries.value if self._summaries else {}
        try:
            after = await self.summaries(fresh=True)
        except Exception as error:  # the cache keeps serving; the next refresh tries again
            log.warning("event=lock_refresh_failed error=%s", type(error).__name__)
            after = before
        for door in self.doors():
            cached = self._details.get(door.lock_id)
            if (
                cached is None
                or self._clock() - cached.at_ms >= DETAIL_MAX_AGE_MS
                or _settings_changed(before.get(door.lock_id), after.get(door.lock_id))
            ):
                try:
                    await self.detail(door.lock_id, fresh=True)
                except Exception as error:
                    log.warning(
                        "event=lock_detail_refresh_failed lock_id=%d error=%s errcode=%s",
                        door.lock_id,
                        type(error).__name__,
                        getattr(error, "errcode", None),
                    )
        self._passage.clear()  # read again when the auto-lock inference needs it

    async def passage_mode(
        self, lock_id: int, *, fresh: bool = False, max_age_s: float | None = None
    ) -> Fetched[PassageModeConfig]:
        """The lock's passage-mode configuration (reference §5.4), read when none is cached,
        when `fresh`, or when the cached one is older than `max_age_s` seconds (at most
        `PASSAGE_MODE_MAX_AGE_S`)."""
        fetched = await self._read(
            ("passage mode", lock_id),
            lambda: self._passage.get(lock_id),
            fresh,
            lambda: self._cloud.passage_mode(lock_id),
            max_age_ms=_ms(min(max_age_s or PASSAGE_MODE_MAX_AGE_S, PASSAGE_MODE_MAX_AGE_S)),
        )
        self._passage[lock_id] = fetched
        return fetched

    async def _tell_battery(self, lock: LockSummary, read_at_ms: int) -> None:
        """Date the reading: its own `electricQuantityUpdateDate` (the lock list has it); a
        detail has none, so the same level as the list's keeps the list's date and a changed
        level is dated at the read (it changed since)."""
        level = lock.electric_quantity
        if level is None or lock.lock_id not in self._by_lock:
            return
        at_ms = lock.electric_quantity_update_date
        listed = self.cached_summary(lock.lock_id)
        if at_ms is None and listed is not None and listed.electric_quantity == level:
            at_ms = listed.electric_quantity_update_date
        await self._on_battery(lock.lock_id, level, at_ms or read_at_ms)

    async def _read(
        self,
        key: Hashable,
        cached: Callable[[], Fetched[T] | None],
        fresh: bool,
        fetch: Callable[[], Awaitable[T]],
        max_age_ms: int | None = None,
    ) -> Fetched[T]:
        """The cached value when usable, else one read for all concurrent callers of `key`
        (other keys are read meanwhile). A read that failed less than `FAILED_READ_MEMORY_MS`
        ago raises its error again without calling TTLock, unless `fresh`."""
        current = cached()
        if not fresh and self._usable(current, max_age_ms):
            return current
        async with self._fetching[key]:
            current = cached()
            if not fresh and self._usable(current, max_age_ms):
                return current
            failed = self._failed.get(key)
            if not fresh and failed and self._clock() - failed[0] < FAILED_READ_MEMORY_MS:
                raise failed[1].with_traceback(None)
            try:
                value = await fetch()
            except TTLockError as error:
                self._failed[key] = (self._clock(), error)
                raise
            self._failed.pop(key, None)
            return Fetched(value, self._clock())

    def _usable(self, cached: Fetched[T] | None, max_age_ms: int | None) -> TypeGuard[Fetched[T]]:
        if cached is None:
            return False
        return max_age_ms is None or self._clock() - cached.at_ms < max_age_ms


def _ms(seconds: float | None) -> int | None:
    return None if seconds is None else int(seconds * 1000)


def _settings_changed(before: LockSummary | None, after: LockSummary | None) -> bool:
    """Whether a lock-list entry says more than a new battery reading since the last list."""
    battery = {"electric_quantity", "electric_quantity_update_date"}
    if before is None or after is None:
        return before is not after
    return before.model_dump(exclude=battery) != after.model_dump(exclude=battery)


async def _keyed(items: AsyncIterator[T], key: Callable[[T], int]) -> dict[int, T]:
    return {key(item): item async for item in items}


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
