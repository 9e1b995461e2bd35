"""The doors of the configuration, and what the cloud says about their locks, cached.

Quota is money (DESIGN invariant 6): a read is served from the cache whenever it holds a value,
whatever its age; the cloud is asked only when nothing is cached yet or a caller asks for a
fresh read (`fresh=True`: the refresh every `[cloud] detail_refresh`, the gateway poll,
`?refresh=true` on the API; `max_age_s`: the readiness probe). The door-to-gateway links, which
change only when someone pairs a gateway, are read once and again only when asked. Every cached
value remembers when it was fetched, so answers can say how old they are.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from typing import Generic, TypeGuard, TypeVar

from ttlock_bridge.clock import Clock
from ttlock_bridge.cloud import Gateway, LockDetail, LockGateway, LockSummary, TTLockClient
from ttlock_bridge.config import Config
from ttlock_bridge.store.grants import DoorRef

log = logging.getLogger("ttlock_bridge.locks")

T = TypeVar("T")

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
        self._fetching = asyncio.Lock()

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

    def cached_summary(self, lock_id: int) -> LockSummary | None:
        """The lock as the last lock list described it, without calling the cloud."""
        return self._summaries.value.get(lock_id) if self._summaries else None

    def cached_detail(self, lock_id: int) -> LockDetail | None:
        """The lock's detail as last fetched, without calling the cloud."""
        cached = self._details.get(lock_id)
        return cached.value if cached else None

    async def summaries(
        self, *, fresh: bool = False, max_age_s: float | None = None
    ) -> dict[int, LockSummary]:
        """Every lock of the account by lockId; read again when `fresh`, or when older than
        `max_age_s` seconds if that is given."""
        previous = self._summaries
        self._summaries = await self._read(
            lambda: self._summaries,
            fresh,
            lambda: _keyed(self._cloud.locks(), lambda lock: lock.lock_id),
            max_age_ms=None if max_age_s is None else int(max_age_s * 1000),
        )
        if self._summaries is not previous:
            for summary in self._summaries.value.values():
                await self._tell_battery(summary, self._summaries.at_ms)
        return self._summaries.value

    def summaries_at_ms(self) -> int | None:
        """When the lock list was last fetched (UTC epoch ms), None before the first time."""
        return self._summaries.at_ms if self._summaries else None

    async def detail(self, lock_id: int, *, fresh: bool = False) -> Fetched[LockDetail]:
        """The lock's detail (read when none is cached, or when `fresh`)."""
        previous = self._details.get(lock_id)
        fetched = await self._read(
            lambda: self._details.get(lock_id), fresh, lambda: self._cloud.lock_detail(lock_id)
        )
        self._details[lock_id] = fetched
        if fetched is not previous:
            await self._tell_battery(fetched.value, fetched.at_ms)
        return fetched

    async def gateways(self, *, fresh: bool = False) -> dict[int, Gateway]:
        """The account's gateways by gatewayId (read when none is cached, or when `fresh`)."""
        self._gateways = await self._read(
            lambda: self._gateways,
            fresh,
            lambda: _keyed(self._cloud.gateways(), lambda gateway: gateway.gateway_id),
        )
        return self._gateways.value

    async def gateways_of_lock(self, lock_id: int, *, fresh: bool = False) -> list[LockGateway]:
        """The gateways that reach this lock (read once, and again when `fresh`)."""
        self._gateway_links[lock_id] = await self._read(
            lambda: self._gateway_links.get(lock_id),
            fresh,
            lambda: self._cloud.gateways_of_lock(lock_id),
        )
        return self._gateway_links[lock_id].value

    async def auto_lock_seconds(self, lock_id: int) -> int | None:
        """The lock's autoLockTime in seconds (0 or less: off) from the cached detail, without
        calling the cloud; None while no detail is cached (only the auto-lock inference is
        lost then: an unlock must not cost a detail call)."""
        detail = self.cached_detail(lock_id)
        return detail.auto_lock_time if detail else None

    async def refresh(self) -> None:
        """Read the lock list and every door's detail once (at start, then every
        `detail_refresh`): 1 + doors calls. A failure is logged; the old values stay."""
        try:
            await self.summaries(fresh=True)
            for door in self.doors():
                await self.detail(door.lock_id, fresh=True)
        except Exception as error:  # the cache keeps serving; the next refresh tries again
            log.warning("event=lock_refresh_failed error=%s", type(error).__name__)

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
        cached: Callable[[], Fetched[T] | None],
        fresh: bool,
        fetch: Callable[[], Awaitable[T]],
        max_age_ms: int | None = None,
    ) -> Fetched[T]:
        current = cached()
        if not fresh and self._usable(current, max_age_ms):
            return current
        async with self._fetching:  # concurrent callers of a missing value share one read
            current = cached()
            if not fresh and self._usable(current, max_age_ms):
                return current
            return Fetched(await fetch(), self._clock())

    def _usable(self, cached: Fetched[T] | None, max_age_ms: int | None) -> TypeGuard[Fetched[T]]:
        if cached is None:
            return False
        return max_age_ms is None or self._clock() - cached.at_ms < max_age_ms


async def _keyed(items: AsyncIterator[T], key: Callable[[T], int]) -> dict[int, T]:
    return {key(item): item async for item in items}
