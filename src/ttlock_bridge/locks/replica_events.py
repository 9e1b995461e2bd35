"""Callbacks another replica took in: this replica's lock state and news follow them.

TTLock posts each callback once, to one URL: behind a load balancer, one replica stores it as
an event (`locks.intake`) and updates its own lock state. Every `FOLLOW_EVERY_S` each other
replica reads the events that arrived since and takes in the callbacks it did not store
(`Event.stored_by`) as its intake would (state, auto-lock inference, news to its channels):
any replica answers any state read, at most a second behind.

Event ids come from one sequence, but a transaction that took a lower id may commit after one
that took a higher: each reading starts from the newest id seen at least `SETTLE_S` ago (an
intake's transaction lasts milliseconds), and ids already seen are skipped.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable
from typing import Final

from ttlock_bridge.clock import Clock
from ttlock_bridge.locks.callback import CallbackRecord, record_times
from ttlock_bridge.locks.intake import EventIntake
from ttlock_bridge.store import STORE_UNAVAILABLE, Event, EventSource, Store
from ttlock_bridge.store.events import events_after, last_event_id

log = logging.getLogger("ttlock_bridge.locks")

FOLLOW_EVERY_S: Final = 1.0
"""How far behind another replica's callback this replica's state may be, at most."""
SETTLE_S: Final = 10.0
"""After this long, no event with a lower id than one seen can still appear."""
BATCH: Final = 500


class ReplicaEvents:
    """Follows the callback events the other replicas store (this one is `replica`)."""

    def __init__(
        self,
        store: Store,
        intake: EventIntake,
        replica: str,
        clock: Clock,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self._store = store
        self._intake = intake
        self._replica = replica
        self._clock = clock
        self._monotonic = monotonic
        self._floor = 0  # every event up to this id is settled: seen, or never to be
        self._seen: dict[int, float] = {}  # ids above the floor seen, and when (monotonic)

    async def follow_forever(self) -> None:
        """From the newest event now (older ones seeded the state at start), until cancelled."""
        self._floor = await asyncio.to_thread(self._last_event_id)
        while True:
            await asyncio.sleep(FOLLOW_EVERY_S)
            try:
                await self.follow()
            except STORE_UNAVAILABLE:
                pass  # the store check of /readyz says so; the next round reads on
            except Exception:
                log.exception("event=replica_events_failed")

    async def follow(self) -> int:
        """Take in the other replicas' new callback events; returns how many."""
        events = await asyncio.to_thread(self._events_after, self._floor)
        now = self._monotonic()
        new = [event for event in events if event.id not in self._seen]
        for event in new:
            self._seen[event.id] = now
        theirs = [
            event
            for event in new
            if event.source is EventSource.CALLBACK and event.stored_by != self._replica
        ]
        for event in theirs:
            record = _record_of(event)
            times = record_times(record.lock_date_ms, record.server_date_ms, self._clock())
            await self._intake.take_in(record, times)
        settled = [event_id for event_id, seen_at in self._seen.items() if now - seen_at > SETTLE_S]
        if settled:
            self._floor = max(settled)
            self._seen = {i: at for i, at in self._seen.items() if i > self._floor}
        return len(theirs)

    def _last_event_id(self) -> int:
        with self._store.transaction() as session:
            return last_event_id(session)

    def _events_after(self, after_id: int) -> list[Event]:
        with self._store.transaction() as session:
            return events_after(session, after_id, limit=BATCH)


def _record_of(event: Event) -> CallbackRecord:
    """The stored event as the record its callback carried (what the intake takes in)."""
    return CallbackRecord(
        lock_id=event.lock_id,
        lock_mac=None,
        record_id=None,
        record_type=event.record_type,
        record_type_from_lock=event.record_type_from_lock,
        success=event.success,
        username=event.username,
        masked_code=event.masked_code,
        lock_date_ms=event.lock_date_ms,
        server_date_ms=event.server_date_ms,
        battery=event.battery,
    )
