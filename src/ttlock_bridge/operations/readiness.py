"""`/readyz`: can the service do its job right now? Store, TTLock token, cloud, channels.

The store check asks whether a write would get through (a database locked by another process
or read-only still answers reads, yet loses every grant and callback), waiting a fraction of a
second at most.

The cloud check is the door directory's lock list, read again only when older than
`CLOUD_CHECK_TTL_S` (and the check's answer is kept as long): probes every few seconds must not
burn the quota.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Protocol

from ttlock_bridge.cloud import TTLockClient, TTLockError
from ttlock_bridge.locks.directory import LockDirectory
from ttlock_bridge.store import Store

CLOUD_CHECK_TTL_S = 60.0


@dataclass(frozen=True, slots=True)
class ChannelStatus:
    """A channel's readiness as `/readyz` reports it: `detail` says why when not ready."""

    name: str
    ready: bool
    detail: str


class ReportsStatus(Protocol):
    """A long-running part (a channel) whose readiness `/readyz` includes."""

    def status(self) -> ChannelStatus: ...


@dataclass(frozen=True, slots=True)
class Check:
    name: str
    ready: bool
    detail: str


class Readiness:
    def __init__(
        self,
        store: Store,
        cloud: TTLockClient,
        directory: LockDirectory,
        channels: Sequence[ReportsStatus],
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self._store = store
        self._cloud = cloud
        self._directory = directory
        self._channels = channels
        self._monotonic = monotonic
        self._cloud_check: tuple[float, Check] | None = None

    async def checks(self) -> list[Check]:
        channel_checks = [
            Check(f"channel:{status.name}", status.ready, status.detail)
            for status in (channel.status() for channel in self._channels)
        ]
        return [
            await self._check_store(),
            self._check_token(),
            await self._check_cloud(),
            *channel_checks,
        ]

    async def _check_store(self) -> Check:
        problem = await asyncio.to_thread(self._store.write_problem)
        if problem is not None:
            return Check("store", False, f"cannot write: {problem}")
        return Check("store", True, "reachable and writable")

    def _check_token(self) -> Check:
        reason = self._cloud.reauthentication_reason
        if reason is not None:
            return Check("token", False, reason)
        return Check("token", True, "usable (renewed automatically)")

    async def _check_cloud(self) -> Check:
        now = self._monotonic()
        if self._cloud_check is not None and now - self._cloud_check[0] < CLOUD_CHECK_TTL_S:
            return self._cloud_check[1]
        try:
            locks = await self._directory.summaries(max_age_s=CLOUD_CHECK_TTL_S)
            check = Check("cloud", True, f"reachable, {len(locks)} lock(s) in the account")
        except TTLockError as error:
            check = Check("cloud", False, error.guidance)
        self._cloud_check = (now, check)
        return check
