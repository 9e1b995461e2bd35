"""The running service's parts, built once from a configuration, started and stopped together.

This is the composition root: the only module (with the CLI above it) that names concrete
channels. `Runtime.build` makes the objects (no I/O beyond opening the store) and hands each
channel exactly the parts it uses; `start` launches the background work (reconciler and nightly
cleanup, call-count flushing, channels) and `stop` ends it. `http_app()` is the REST API whose
lifespan calls both, so the whole service lives inside uvicorn's loop.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Protocol

from prometheus_client import CollectorRegistry

from ttlock_bridge.access import Access
from ttlock_bridge.access.core import NIGHTLY_CLEANUP
from ttlock_bridge.clock import Clock, wall_clock_ms
from ttlock_bridge.cloud import CallObserver, CallOutcome, Credentials, TTLockClient
from ttlock_bridge.config import Config
from ttlock_bridge.locks import LockNews, Locks
from ttlock_bridge.locks.facade import CLOCK_CHECK, GATEWAY_POLL
from ttlock_bridge.operations.metrics import CloudCallMetrics, Metrics
from ttlock_bridge.operations.readiness import ChannelStatus, Readiness
from ttlock_bridge.operations.usage import CloudUsage
from ttlock_bridge.store import Store, open_store
from ttlock_bridge.store.lock_turns import LockTurns
from ttlock_bridge.store.replica import replica_name
from ttlock_bridge.store.singletons import Singletons
from ttlock_bridge.store.token_store import DatabaseTokenStore

if TYPE_CHECKING:
    from fastapi import FastAPI

    from ttlock_bridge.bookings import BookingSync
    from ttlock_bridge.channels.web import WebConsole

log = logging.getLogger("ttlock_bridge.service")

FLUSH_USAGE_EVERY_S = 60.0


class Channel(Protocol):
    """A background adapter the service starts and stops with itself, and tells lock news."""

    name: str

    async def start(self) -> None: ...

    async def stop(self) -> None: ...

    def status(self) -> ChannelStatus: ...

    async def publish(self, news: LockNews) -> None: ...


@dataclass
class Runtime:
    """Everything the service runs, in one place; only the composition root reaches into it."""

    config: Config
    store: Store
    cloud: TTLockClient
    access: Access
    locks: Locks
    api_token: str
    usage: CloudUsage
    readiness: Readiness
    metrics: Metrics
    channels: list[Channel]
    clock: Clock
    console: WebConsole | None = None
    bookings: BookingSync | None = None
    lock_turns: LockTurns | None = None
    singletons: Singletons | None = None
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

        The channels the configuration enables (KNX, MQTT) are added to `channels`; each is
        subscribed to lock news.
        """
        store = open_store(config.store_url)
        replica = replica_name()
        registry = Metrics.new_registry()
        cloud_calls = CloudCallMetrics(registry)
        call_observers: list[CallObserver] = [cloud_calls.observe]

        def observe_call(call: CallOutcome) -> None:
            for observe in call_observers:
                observe(call)

        lock_turns = LockTurns.of(store, replica)
        cloud = TTLockClient(
            credentials,
            api_base=api_base,
            token_store=DatabaseTokenStore(
                store, api_base, credentials.username, legacy_dir=config.data_dir
            ),
            observe_calls=observe_call,
            lock_turns=lock_turns,
        )
        usage = CloudUsage(store, config.cloud.monthly_budget, clock=clock)
        singletons = Singletons.of(store, replica, (NIGHTLY_CLEANUP, GATEWAY_POLL, CLOCK_CHECK))
        locks = Locks(
            config,
            store,
            cloud,
            clock,
            optional_reads=usage.optional_reads_allowed,
            runs_here=singletons.runs_here,
            replica=replica,
            other_replicas=store.engine.dialect.name == "postgresql",
        )
        access = Access(
            config,
            store,
            cloud,
            clock=clock,
            gateway_of=locks.gateways.state_of,
            replica=replica,
            runs_here=singletons.runs_here,
        )
        console = _console(config, store, access=access, locks=locks, usage=usage, clock=clock)
        all_channels = [*channels, *_configured_channels(config, access, locks)]
        if console is not None:
            all_channels.append(console)
            access.subscribe(console)
        for channel in all_channels:
            locks.subscribe(channel)
        locks.subscribe(access.gateway_return)
        bookings = _booking_sync(config, store, access, registry, clock)
        readiness = Readiness(
            store=store,
            cloud=cloud,
            directory=locks.directory,
            channels=all_channels,
            intake=locks.intake,
            clock=clock,
            parts=[bookings] if bookings is not None else [],
            singletons=singletons,
        )
        call_observers += [locks.gateways.observe, readiness.observe, usage.observe]
        return cls(
            config=config,
            store=store,
            cloud=cloud,
            access=access,
            locks=locks,
            api_token=api_token,
            usage=usage,
            readiness=readiness,
            metrics=Metrics(
                cloud_calls=cloud_calls,
                registry=registry,
                usage=usage,
                store=store,
                locks=locks,
                clock=clock,
            ),
            channels=all_channels,
            clock=clock,
            console=console,
            bookings=bookings,
            lock_turns=lock_turns,
            singletons=singletons,
        )

    def http_app(self) -> FastAPI:
        """The REST API over this runtime; serving it starts and stops the runtime."""
        from ttlock_bridge.channels.rest import Bridge, create_app

        @contextlib.asynccontextmanager
        async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
            await self.start()
            try:
                yield
            finally:
                await self.stop()

        bridge = Bridge(
            config=self.config,
            access=self.access,
            locks=self.locks,
            cloud=self.cloud,
            store=self.store,
            readiness=self.readiness,
            usage=self.usage,
            metrics=self.metrics,
            api_token=self.api_token,
            clock=self.clock,
            bookings=self.bookings,
        )
        app = create_app(bridge, lifespan)
        if self.console is not None:
            self.console.install(app)
        return app

    async def start(self) -> None:
        # the month's stored usage first: a spent budget stops the start-up reads too
        await self.usage.flush()
        await self.locks.start()
        for channel in self.channels:
            await channel.start()
        self._tasks = [
            asyncio.create_task(self.access.run_forever(), name="access"),
            asyncio.create_task(self._flush_usage_forever(), name="usage"),
        ]
        if self.singletons is not None:
            self._tasks.append(
                asyncio.create_task(self.singletons.keep_forever(), name="singletons")
            )
        if self.bookings is not None:
            self._tasks.append(asyncio.create_task(self.bookings.run_forever(), name="bookings"))
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
        await self.locks.close()
        if self.bookings is not None:
            with contextlib.suppress(Exception):
                await self.bookings.close()
        with contextlib.suppress(Exception):
            await self.usage.flush()
        await self.cloud.aclose()
        for session in (self.lock_turns, self.singletons):
            if session is not None:
                with contextlib.suppress(Exception):
                    await session.close()
        self.store.close()
        log.info("event=stopped")

    async def _flush_usage_forever(self) -> None:
        while True:
            await asyncio.sleep(FLUSH_USAGE_EVERY_S)
            try:
                await self.usage.flush()
            except Exception:
                log.exception("event=usage_flush_failed")


def _configured_channels(config: Config, access: Access, locks: Locks) -> list[Channel]:
    """The channels the configuration enables, each imported only when it runs."""
    channels: list[Channel] = []
    if config.knx is not None:
        from ttlock_bridge.channels.knx import KnxChannel

        channels.append(KnxChannel(config.knx, access, unlock=locks.commands.unlock))
    if config.mqtt is not None:
        from ttlock_bridge.channels.mqtt import MqttChannel

        mqtt = MqttChannel(config.mqtt, access, locks)
        access.subscribe(mqtt)  # room sensors follow grant news
        channels.append(mqtt)
    return channels


def _booking_sync(
    config: Config, store: Store, access: Access, registry: CollectorRegistry, clock: Clock
) -> BookingSync | None:
    """The booking calendars' sync when `[bookings]` names any, its metrics registered."""
    if not config.bookings:
        return None
    from ttlock_bridge.bookings import BookingSync
    from ttlock_bridge.bookings.metrics import BookingMetrics

    sync = BookingSync(config, store, access, clock=clock)
    registry.register(BookingMetrics(sync))
    return sync


def _console(
    config: Config, store: Store, *, access: Access, locks: Locks, usage: CloudUsage, clock: Clock
) -> WebConsole | None:
    """The front-desk console over the access core and the operator records, when enabled."""
    if not config.console.enabled:
        return None
    from ttlock_bridge.channels.web import Desk, WebConsole
    from ttlock_bridge.operations.accounts import Accounts
    from ttlock_bridge.operations.journal import Journal
    from ttlock_bridge.operations.sessions import Sessions
    from ttlock_bridge.operations.throttle import SignInThrottle

    lifetime_ms = int(config.console.session_lifetime.total_seconds() * 1000)
    desk = Desk(
        config=config,
        access=access,
        locks=locks,
        usage=usage,
        store=store,
        accounts=Accounts(store, clock),
        sessions=Sessions(store, clock, lifetime_ms),
        journal=Journal(store, clock),
        throttle=SignInThrottle(clock),
        clock=clock,
    )
    return WebConsole(desk)
