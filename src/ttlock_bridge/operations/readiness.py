"""`/readyz`: can the service do its job right now? Store, TTLock token, cloud, channels; and
which replica answers and which replica runs each job one replica runs for all (`replica`).

The store check asks whether a write would get through (a database locked by another process
or read-only still answers reads, yet loses every grant and callback), waiting a fraction of a
second at most.

The cloud check never calls TTLock (a health probe every few seconds would burn the quota):
it judges from the calls the bridge made anyway (`observe`, told of every call's outcome), the
gateway poll keeping them frequent: a last call that got no answer means TTLock is not
reachable; otherwise the cached lock list (read once, at start) says how many locks it has.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Protocol

import psycopg

from ttlock_bridge.clock import Clock
from ttlock_bridge.cloud import CallOutcome, TTLockClient
from ttlock_bridge.locks.directory import LockDirectory
from ttlock_bridge.locks.intake import EventIntake
from ttlock_bridge.store import Store
from ttlock_bridge.store.singletons import Singletons


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
        *,
        store: Store,
        cloud: TTLockClient,
        directory: LockDirectory,
        channels: Sequence[ReportsStatus],
        intake: EventIntake,
        clock: Clock,
        parts: Sequence[ReportsStatus] = (),
        singletons: Singletons | None = None,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        """`channels` are checked as `channel:<name>`; `parts` (background work that is no
        channel, such as the booking sync) under their own name; `singletons` says which
        replica this is and which runs each job one replica runs for all (`replica`)."""
        self._singletons = singletons
        self._store = store
        self._cloud = cloud
        self._directory = directory
        self._channels = channels
        self._parts = parts
        self._intake = intake
        self._clock = clock
        self._monotonic = monotonic
        self._last_call: tuple[float, CallOutcome] | None = None

    def observe(self, call: CallOutcome) -> None:
        """A TTLock call ended (called by the client for every call)."""
        self._last_call = (self._monotonic(), call)

    async def checks(self) -> list[Check]:
        channel_checks = [
            Check(f"channel:{status.name}", status.ready, status.detail)
            for status in (channel.status() for channel in self._channels)
        ]
        part_checks = [
            Check(status.name, status.ready, status.detail)
            for status in (part.status() for part in self._parts)
        ]
        singletons = self._singletons
        replica = [await self._check_replica(singletons)] if singletons is not None else []
        return [
            await self._check_store(),
            self._check_token(),
            await self._check_cloud(),
            *replica,
            *channel_checks,
            *part_checks,
        ]

    async def _check_replica(self, singletons: Singletons) -> Check:
        """Always ready (a job nobody runs now is taken within seconds, the store check says
        when the database is out of reach): which replica answers, who runs which job."""
        me = singletons.replica
        try:
            holders = await singletons.holders()
        except (psycopg.Error, OSError):
            return Check("replica", True, f"{me}; who runs which job: unknown (no database)")
        jobs = ", ".join(
            f"{job}: {'this replica' if holder == me else holder or 'nobody yet'}"
            for job, holder in holders.items()
        )
        return Check("replica", True, f"{me}; {jobs}")

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
        if self._last_call is not None and not self._last_call[1].answered:
            at, call = self._last_call
            return Check(
                "cloud",
                False,
                f"no answer from TTLock to the last call ({call.endpoint}, "
                f"{round(self._monotonic() - at)} s ago): check this host's network connection",
            )
        locks = self._directory.cached_summaries()  # never a TTLock call from a probe
        if locks is None:
            failure = self._directory.lock_list_failure()
            if failure is not None:
                return Check(
                    "cloud",
                    False,
                    f"the lock list could not be read yet (errcode {failure.errcode}): "
                    f"{failure.guidance}",
                )
            return Check("cloud", True, "the lock list is being read (start-up)")
        return Check(
            "cloud",
            True,
            f"reachable, {len(locks)} lock(s) in the account; "
            f"last callback: {self._ago(self._intake.last_records_at_ms)}; "
            "last console test (a lock that is no door): "
            f"{self._ago(self._intake.last_test_at_ms)}",
        )

    def _ago(self, at_ms: int | None) -> str:
        """How long ago, for a person: "none yet", "12 s ago", "3 min ago", "5 h ago"."""
        if at_ms is None:
            return "none yet"
        seconds = max(0, (self._clock() - at_ms) // 1000)
        for unit, size in (("h", 3600), ("min", 60)):
            if seconds >= size:
                return f"{seconds // size} {unit} ago"
        return f"{seconds} s ago"
