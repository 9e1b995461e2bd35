"""The running service's parts, built once from a configuration, started and stopped together.

`Runtime.build` makes the objects (no I/O beyond opening the store); `start` launches the
background work (reconciler and nightly cleanup, call-count flushing, channels) and `stop`
ends it. The REST app's lifespan calls both, so the whole service lives inside uvicorn's loop.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field

from ttlock_bridge.access import Access
from ttlock_bridge.access.clock import Clock, wall_clock_ms
from ttlock_bridge.channels.base import Channel, LockNews
from ttlock_bridge.channels.knx import KnxChannel
from ttlock_bridge.cloud import Credentials, TTLockClient, bolt_state_after
from ttlock_bridge.config import Config
from ttlock_bridge.service.commands import LockCommands
from ttlock_bridge.service.directory import LockDirectory
from ttlock_bridge.service.events import EventIntake
from ttlock_bridge.service.lock_state import LockStates
from ttlock_bridge.service.metrics import MetricsSnapshot
from ttlock_bridge.service.readiness import Readiness
from ttlock_bridge.service.state_keeper import StateKeeper
from ttlock_bridge.service.usage import CloudUsage
from ttlock_bridge.store import Event, GrantState, PlacementStatus, Store, open_store
from ttlock_bridge.store.events import recent_events
from ttlock_bridge.store.grants import list_grants
from ttlock_bridge.store.placements import list_placements
from ttlock_bridge.store.token_store import DatabaseTokenStore

log = logging.getLogger("ttlock_bridge.service")

FLUSH_USAGE_EVERY_S = 60.0
SEED_EVENTS_PER_LOCK = 20


@dataclass
class Runtime:
    """Everything a request handler or a channel may need, in one place."""

    config: Config
    store: Store
    cloud: TTLockClient
    access: Access
    api_token: str
    directory: LockDirectory
    keeper: StateKeeper
    intake: EventIntake
    commands: LockCommands
    usage: CloudUsage
    readiness: Readiness
    channels: list[Channel]
    clock: Clock
    cloud_errors: Counter[int | None] = field(default_factory=Counter)
    _tasks: list[asyncio.Task[None]] = field(default_factory=list)

    @classmethod
    def build(
        cls,
        config: Config,
        credentials: Credentials,
        *,
        api_base: str,
        api_token: str,
        channels: Sequence[Channel] = (),
        clock: Clock = wall_clock_ms,
    ) -> Runtime:
        """Open the store (migrating it) and assemble the parts; nothing runs yet.

        The channels the configuration enables (KNX) are added to `channels`.
        """
        store = open_store(config.store_url)
        token_store = DatabaseTokenStore(store, api_base, credentials.username)
        cloud = TTLockClient(credentials, api_base=api_base, token_store=token_store)
        directory = LockDirectory(config, cloud)
        all_channels = list(channels)

        async def publish(news: LockNews) -> None:
            await _publish_to(all_channels, news)

        def door_name(lock_id: int) -> str | None:
            door = directory.door_of(lock_id)
            return door.door if door else None

        keeper = StateKeeper(LockStates(), publish, clock, door_name)
        access = Access(config, store, cloud, clock=clock)
        commands = LockCommands(cloud, directory, keeper, clock)
        if config.knx is not None:
            all_channels.append(KnxChannel(config.knx, access, unlock=commands.unlock))
        return cls(
            config=config,
            store=store,
            cloud=cloud,
            access=access,
            api_token=api_token,
            directory=directory,
            keeper=keeper,
            intake=EventIntake(store, directory, keeper),
            commands=commands,
            usage=CloudUsage(store, cloud),
            readiness=Readiness(store, cloud, directory, all_channels),
            channels=all_channels,
            clock=clock,
        )

    async def start(self) -> None:
        await self._seed_lock_states()
        for channel in self.channels:
            await channel.start()
        self._tasks = [
            asyncio.create_task(self.access.run_forever(), name="access"),
            asyncio.create_task(self._flush_usage_forever(), name="usage"),
        ]
        log.info(
            "event=started doors=%d rooms=%d channels=%d",
            len(self.config.doors),
            len(self.config.rooms),
            len(self.channels),
        )

    async def stop(self) -> None:
        for task in self._tasks:
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        for channel in self.channels:
            with contextlib.suppress(Exception):
                await channel.stop()
        await self.keeper.close()
        with contextlib.suppress(Exception):
            await self.usage.flush()
        await self.cloud.aclose()
        self.store.close()
        log.info("event=stopped")

    async def metrics(self) -> MetricsSnapshot:
        usage = await self.usage.usage()
        queue, grants = await asyncio.to_thread(self._ledger_counts)
        return MetricsSnapshot(
            cloud_calls_today=usage.today,
            cloud_calls_month=usage.this_month,
            cloud_errors=dict(self.cloud_errors),
            reconciler_queue=queue,
            grants_by_state=grants,
            callbacks=dict(self.intake.counts),
        )

    def _ledger_counts(self) -> tuple[int, dict[str, int]]:
        now_ms = self.clock()
        with self.store.transaction() as session:
            waiting = list_placements(
                session, statuses={PlacementStatus.INTENT, PlacementStatus.PENDING}
            )
            states: Counter[str] = Counter({"active": 0, "ended": 0, "cancelled": 0})
            for grant in list_grants(session):
                ended = grant.state is GrantState.ACTIVE and grant.end_ms <= now_ms
                states["ended" if ended else grant.state.value] += 1
        return len(waiting), dict(states)

    async def _seed_lock_states(self) -> None:
        """Start from the newest stored event that moved each door's bolt."""
        for door in self.directory.doors():
            events = await asyncio.to_thread(self._recent_events, door.lock_id)
            for event in events:
                bolt = bolt_state_after(event.record_type) if event.success else None
                if bolt is not None:
                    await self.keeper.observe(
                        door.lock_id, source=event.source.value, at_ms=event.lock_date_ms, bolt=bolt
                    )
                    break

    def _recent_events(self, lock_id: int) -> list[Event]:
        with self.store.transaction() as session:
            return recent_events(session, lock_id=lock_id, limit=SEED_EVENTS_PER_LOCK)

    async def _flush_usage_forever(self) -> None:
        while True:
            await asyncio.sleep(FLUSH_USAGE_EVERY_S)
            try:
                await self.usage.flush()
            except Exception:
                log.exception("event=usage_flush_failed")


async def _publish_to(channels: Sequence[Channel], news: LockNews) -> None:
    """Every channel gets the news; one failing channel does not keep it from the others."""
    for channel in channels:
        try:
            await channel.publish(news)
        except Exception:
            log.exception("event=publish_failed channel=%s lock_id=%d", channel.name, news.lock_id)
