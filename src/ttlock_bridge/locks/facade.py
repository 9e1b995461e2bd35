"""`Locks`: the lock-state package as one object, built once by the composition root.

Channels are handed this facade rather than its parts' wiring: they resolve doors, read state,
send commands and subscribe to news through it.
"""

from __future__ import annotations

import asyncio
import logging

from ttlock_bridge.clock import Clock
from ttlock_bridge.cloud import TTLockClient, bolt_state_after
from ttlock_bridge.config import Config
from ttlock_bridge.locks.callback import record_times
from ttlock_bridge.locks.commands import LockCommands
from ttlock_bridge.locks.directory import LockDirectory
from ttlock_bridge.locks.intake import EventIntake
from ttlock_bridge.locks.keeper import StateKeeper
from ttlock_bridge.locks.news import LockNews, LockNewsSubscriber
from ttlock_bridge.locks.state import LockStates
from ttlock_bridge.store import Event, Store
from ttlock_bridge.store.events import recent_events

log = logging.getLogger("ttlock_bridge.locks")

SEED_EVENTS_PER_LOCK = 20


class Locks:
    """The door directory, the state keeper, the callback intake and remote commands.

    `subscribe` adds a receiver of `LockNews`; one failing subscriber does not keep the news
    from the others.
    """

    def __init__(self, config: Config, store: Store, cloud: TTLockClient, clock: Clock) -> None:
        self._store = store
        self._clock = clock
        self._subscribers: list[LockNewsSubscriber] = []
        self.directory = LockDirectory(config, cloud)
        self.keeper = StateKeeper(LockStates(), self._publish, clock, self._door_name)
        self.intake = EventIntake(store, self.directory, self.keeper, clock)
        self.commands = LockCommands(cloud, self.directory, self.keeper, clock)

    def subscribe(self, subscriber: LockNewsSubscriber) -> None:
        self._subscribers.append(subscriber)

    async def start(self) -> None:
        """Start each door from the last stored event to arrive that moved its bolt.

        A stored event's dates count no later than now (invariant 8), so a row with a date
        from the future, stored before the bridge bounded them, cannot outrank later news.
        """
        now_ms = self._clock()
        for door in self.directory.doors():
            events = await asyncio.to_thread(self._recent_events, door.lock_id)
            for event in events:
                bolt = bolt_state_after(event.record_type) if event.success else None
                if bolt is not None:
                    cloud_at_ms = event.server_date_ms or event.lock_date_ms
                    times = record_times(
                        event.lock_date_ms, event.server_date_ms, min(cloud_at_ms, now_ms)
                    )
                    await self.keeper.observe(
                        door.lock_id,
                        source=event.source.value,
                        at_ms=times.heard_at_ms,
                        happened_at_ms=times.happened_at_ms,
                        bolt=bolt,
                    )
                    break

    async def close(self) -> None:
        await self.keeper.close()

    def _door_name(self, lock_id: int) -> str | None:
        door = self.directory.door_of(lock_id)
        return door.door if door else None

    def _recent_events(self, lock_id: int) -> list[Event]:
        with self._store.transaction() as session:
            return recent_events(session, lock_id=lock_id, limit=SEED_EVENTS_PER_LOCK)

    async def _publish(self, news: LockNews) -> None:
        for subscriber in self._subscribers:
            try:
                await subscriber.publish(news)
            except Exception:
                log.exception(
                    "event=publish_failed subscriber=%s lock_id=%d", subscriber.name, news.lock_id
                )
