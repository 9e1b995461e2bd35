"""`Locks`: the lock-state package's parts, built and wired once by the composition root.

A channel is handed this one object instead of the wiring: it resolves doors through
`directory`, reads state from `keeper`, sends commands through `commands` and hands callbacks
to `intake`; the composition root subscribes it to news.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import replace

from ttlock_bridge.clock import Clock
from ttlock_bridge.cloud import TTLockClient, bolt_state_after
from ttlock_bridge.config import Config
from ttlock_bridge.fanout import tell_each
from ttlock_bridge.locks.callback import record_times
from ttlock_bridge.locks.clocks import LockClocks
from ttlock_bridge.locks.commands import LockCommands
from ttlock_bridge.locks.directory import LockDirectory
from ttlock_bridge.locks.gateways import GatewayHealth
from ttlock_bridge.locks.intake import EventIntake
from ttlock_bridge.locks.keeper import StateKeeper
from ttlock_bridge.locks.news import LockNews, LockNewsSubscriber
from ttlock_bridge.locks.replica_events import ReplicaEvents
from ttlock_bridge.locks.state import AutoLock, LockStates
from ttlock_bridge.store import Event, Store
from ttlock_bridge.store.events import recent_events

SEED_EVENTS_PER_LOCK = 20
CLOUD_SOURCE = "cloud"
GATEWAY_POLL = "gateway poll"
CLOCK_CHECK = "lock clock check"
"""Jobs one replica runs for all (`runs_here`): each reads or sets every lock once."""


class Locks:
    """The door directory, the state keeper, the callback intake and remote commands.

    `subscribe` adds a receiver of `LockNews`; one failing subscriber does not keep the news
    from the others.
    """

    def __init__(
        self,
        config: Config,
        store: Store,
        cloud: TTLockClient,
        clock: Clock,
        optional_reads: Callable[[], bool] = lambda: True,
        *,
        runs_here: Callable[[str], Awaitable[bool]] | None = None,
        replica: str | None = None,
        other_replicas: bool = False,
    ) -> None:
        """`optional_reads` says whether the month's call budget allows the optional reads;
        `runs_here(job)` whether this replica runs `GATEWAY_POLL` and `CLOCK_CHECK` now (one
        replica runs them for all: `store.singletons`); without it, this process does.
        `replica` names this process on the events it stores; with `other_replicas` (a
        PostgreSQL store) the lock states also follow the callbacks the others store."""
        self._store = store
        self._optional_reads = optional_reads
        self._runs_here = runs_here
        self._refresh_every_s = config.cloud.detail_refresh.total_seconds()
        self._poll_every_s = config.cloud.gateway_poll.total_seconds()
        self._clock_check_every_s = config.cloud.clock_check.total_seconds()
        self._clock = clock
        self._subscribers: list[LockNewsSubscriber] = []
        self._tasks: list[asyncio.Task[None]] = []
        self.directory = LockDirectory(config, cloud, clock, self._battery_read)
        self.keeper = StateKeeper(LockStates(), self._publish, clock, self._door_name)
        self.intake = EventIntake(store, self.directory, self.keeper, clock, replica)
        self._replica_events = (
            ReplicaEvents(store, self.intake, replica, clock)
            if other_replicas and replica is not None
            else None
        )
        self.commands = LockCommands(cloud, self.directory, self.keeper, clock)
        self.gateways = GatewayHealth(self.directory, store, clock, self.keeper.announce)
        self.clocks = LockClocks(
            self.directory,
            cloud,
            config.property.zone,
            int(config.cloud.clock_tolerance.total_seconds() * 1000),
            self.keeper.announce,
        )

    def door_gateways(self) -> dict[str, str | None]:
        """Each door's gateway state ("online", "offline", "none"), None while unknown."""
        return {
            door.door: (reach.state.value if (reach := self.gateways.of(door.lock_id)) else None)
            for door in self.directory.doors()
        }

    def clock_drifts(self) -> dict[str, int]:
        """Each checked door's lock-clock drift at its last check, in seconds."""
        return {
            door.door: round(checked.drift_ms / 1000)
            for door in self.directory.doors()
            if (checked := self.clocks.of(door.lock_id)) is not None
        }

    def subscribe(self, subscriber: LockNewsSubscriber) -> None:
        self._subscribers.append(subscriber)

    async def start(self) -> None:
        """Start each door from the last stored event to arrive that moved its bolt, then keep
        the cloud facts fresh in the background (the first read does not delay the start).

        A stored event's dates count no later than now (invariant 8), so a row with a date
        from the future, stored before the bridge bounded them, cannot outrank later news. The
        lock details are not read yet, so an unlock's auto-lock time counts as unknown: it reads
        `unlocked` for at most `UNKNOWN_AUTO_LOCK_WINDOW_S` after it happened, then `unknown`.
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
                        auto_lock_seconds=AutoLock.UNKNOWN,
                    )
                    break
        self._tasks = [
            asyncio.create_task(self._refresh_forever(), name="lock-refresh"),
            asyncio.create_task(self._poll_gateways_forever(), name="gateway-poll"),
            asyncio.create_task(self.gateways.announce_changes_forever(), name="gateway-news"),
            asyncio.create_task(self._check_clocks_forever(), name="lock-clocks"),
        ]
        if self._replica_events is not None:
            self._tasks.append(
                asyncio.create_task(self._replica_events.follow_forever(), name="replica-events")
            )

    async def close(self) -> None:
        for task in self._tasks:
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        await self.keeper.close()

    async def _refresh_forever(self) -> None:
        """Refresh the cloud facts; skipped while the month's call budget is spent."""
        while True:
            if self._optional_reads():
                await self.directory.refresh()
            await asyncio.sleep(self._refresh_every_s)

    async def _poll_gateways_forever(self) -> None:
        """Poll the gateways; skipped while the month's call budget is spent (command answers
        still tell gateway health) and on the replicas that do not run the poll."""
        while True:
            if self._optional_reads() and await self._is_mine(GATEWAY_POLL):
                await self.gateways.poll()
            await asyncio.sleep(self._poll_every_s)

    async def _check_clocks_forever(self) -> None:
        """Check the lock clocks; skipped while the month's call budget is spent and on the
        replicas that do not run the check."""
        while True:
            if self._optional_reads() and await self._is_mine(CLOCK_CHECK):
                await self.clocks.check_all()
            await asyncio.sleep(self._clock_check_every_s)

    async def _is_mine(self, job: str) -> bool:
        return self._runs_here is None or await self._runs_here(job)

    async def _battery_read(self, lock_id: int, level: int, at_ms: int) -> None:
        """A battery level the cloud gave (lock list or detail), with its own date: the lock
        state keeps the newest reading of any source, so one is known before any callback."""
        await self.keeper.observe(lock_id, source=CLOUD_SOURCE, at_ms=at_ms, battery=level)

    def _door_name(self, lock_id: int) -> str | None:
        door = self.directory.door_of(lock_id)
        return door.door if door else None

    def _recent_events(self, lock_id: int) -> list[Event]:
        with self._store.transaction() as session:
            return recent_events(session, lock_id=lock_id, limit=SEED_EVENTS_PER_LOCK)

    async def _publish(self, news: LockNews) -> None:
        door_gateway = self.gateways.of(news.lock_id)
        if door_gateway is not None:
            news = replace(news, gateway=door_gateway.state.value)
        await tell_each(
            self._subscribers,
            lambda subscriber: subscriber.publish(news),
            about=f"lock_id={news.lock_id}",
        )
