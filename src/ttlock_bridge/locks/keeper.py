"""Keeps the last known lock states and tells the subscribers whenever one changes.

Every path that learns something about a lock (callback, remote command) goes through here, so
the state the API shows and the news the channels publish never disagree. When an unlock arms
the auto-lock inference, a timer publishes the inferred "locked" (or "unknown", for a lock whose
auto-lock time is unknown) at the moment it becomes true.
The timer runs in a context of its own: what the unlock's caller set in context variables (a
channel marking the news of its command) belongs to the unlock's news, not to the relock's.
"""

from __future__ import annotations

import asyncio
import contextvars
import logging
from collections.abc import Awaitable, Callable

from ttlock_bridge.clock import Clock
from ttlock_bridge.cloud import BoltState
from ttlock_bridge.locks.news import LockNews
from ttlock_bridge.locks.state import AutoLockTime, LockState, LockStates

log = logging.getLogger("ttlock_bridge.locks")

Publish = Callable[[LockNews], Awaitable[None]]


class StateKeeper:
    """`LockStates` plus publishing: the one writer of lock state in the process."""

    def __init__(
        self,
        states: LockStates,
        publish: Publish,
        now_ms: Clock,
        door_of: Callable[[int], str | None],
    ) -> None:
        self._states = states
        self._publish = publish
        self._now_ms = now_ms
        self._door_of = door_of
        self._timers: dict[int, asyncio.Task[None]] = {}

    def state(self, lock_id: int) -> LockState:
        return self._states.get(lock_id, self._now_ms())

    async def observe(
        self,
        lock_id: int,
        *,
        source: str,
        at_ms: int,
        happened_at_ms: int | None = None,
        bolt: BoltState | None = None,
        battery: int | None = None,
        auto_lock_seconds: AutoLockTime = None,
        clock_offset_ms: int | None = None,
        event_text: str | None = None,
        event_method: str | None = None,
        event_who: str | None = None,
    ) -> None:
        """Take in what was learnt about the lock and publish it (`event_method` and
        `event_who`: see `LockNews`).

        `at_ms` is when the news was heard (it orders news), `happened_at_ms` when the bolt
        moved (default `at_ms`), `auto_lock_seconds` how the lock relocks after an unlock; see
        `LockStates.record_bolt`. Epoch ms.
        """
        if battery is not None:
            self._states.record_battery(lock_id, battery, source=source, at_ms=at_ms)
        if clock_offset_ms is not None:
            self._states.record_clock(lock_id, clock_offset_ms)
        if bolt is not None and self._states.record_bolt(
            lock_id,
            bolt,
            source=source,
            at_ms=at_ms,
            happened_at_ms=happened_at_ms,
            auto_lock_seconds=auto_lock_seconds,
        ):
            self._arm_auto_lock_news(lock_id)
        await self._announce(lock_id, event_text, event_method, event_who)

    async def announce(self, lock_id: int, event_text: str) -> None:
        """Publish the lock's current state with this text (news from elsewhere)."""
        await self._announce(lock_id, event_text)

    async def close(self) -> None:
        """Stop the pending auto-lock timers (at shutdown)."""
        timers = list(self._timers.values())
        for timer in timers:
            timer.cancel()
        await asyncio.gather(*timers, return_exceptions=True)

    async def _announce(
        self,
        lock_id: int,
        event_text: str | None,
        event_method: str | None = None,
        event_who: str | None = None,
    ) -> None:
        state = self.state(lock_id)
        news = LockNews(
            lock_id=lock_id,
            door=self._door_of(lock_id),
            bolt=state.bolt.value if state.bolt else None,
            battery=state.battery,
            event_text=event_text,
            inferred=state.bolt_inferred,
            event_method=event_method,
            event_who=event_who,
        )
        await self._publish(news)

    def _arm_auto_lock_news(self, lock_id: int) -> None:
        previous = self._timers.pop(lock_id, None)
        if previous is not None:
            previous.cancel()
        inference_at_ms = self.state(lock_id).inference_at_ms
        if inference_at_ms is not None:
            delay_s = max(0.0, (inference_at_ms - self._now_ms()) / 1000)
            self._timers[lock_id] = asyncio.create_task(
                self._announce_relock(lock_id, delay_s), context=contextvars.Context()
            )

    async def _announce_relock(self, lock_id: int, delay_s: float) -> None:
        await asyncio.sleep(delay_s)
        self._timers.pop(lock_id, None)
        state = self.state(lock_id)
        if not state.bolt_inferred:
            if state.inference_at_ms is not None:  # the loop's clock woke us before the wall's
                self._arm_auto_lock_news(lock_id)
            return
        if state.bolt is BoltState.LOCKED:
            log.info("event=auto_lock_inferred lock_id=%d", lock_id)
            await self._announce(lock_id, "auto lock (inferred)", "AUTO LOCK")
        else:  # the unlock's window passed without news, and the auto-lock time is unknown
            log.info(
                "event=bolt_unknown_inferred lock_id=%d reason=auto_lock_time_unknown", lock_id
            )
            await self._announce(lock_id, "state unknown")
