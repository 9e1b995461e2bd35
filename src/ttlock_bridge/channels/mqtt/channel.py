"""`MqttChannel`: lock state, events and room occupancy out to MQTT (Home Assistant discovery
and plain JSON topics), LOCK / UNLOCK commands in.

What goes out is kept here as the last payload of every retained topic, so the broker gets only
changes, and all of it again after every reconnect and whenever Home Assistant announces itself
(birth message). Births are coalesced: the snapshot goes out 1 to 2 s after a birth, births
meanwhile ride on it, and births while it is being sent ask for one more at most (anyone may
publish a birth: fifty of them cost one or two snapshots, not fifty). On every connection a
sweep finds the retained topics this bridge left earlier (discovery, door and room states) that
the configuration no longer publishes, and clears them.

The lock state comes from lock news and the state keeper, never from the TTLock cloud (quota is
money, DESIGN invariant 6). Room states are re-read from the access core on grant news, on a
lock event at one of the room's doors and every minute (a day turns; a stay starts); only
changes are published.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import random
from collections.abc import Awaitable, Callable, Iterable, Mapping
from contextvars import ContextVar

import aiomqtt

from ttlock_bridge.access import Access, GrantNews, RoomOccupancy
from ttlock_bridge.access.passcode_tag import parse_tag
from ttlock_bridge.access.rooms import rooms_opened_by
from ttlock_bridge.channels.mqtt.commands import Command, payload_text, read_command
from ttlock_bridge.channels.mqtt.discovery import Discovery, DiscoveryBuilder, LockFacts
from ttlock_bridge.channels.mqtt.link import BrokerLink, Outgoing
from ttlock_bridge.channels.mqtt.payloads import (
    DoorState,
    GrantRef,
    error_payload,
    event_payload,
    room_payload,
)
from ttlock_bridge.channels.mqtt.topics import ONLINE, Topics
from ttlock_bridge.config.mqtt import MqttSettings
from ttlock_bridge.locks import LockNews, Locks
from ttlock_bridge.operations.readiness import ChannelStatus
from ttlock_bridge.store.grants import DoorRef
from ttlock_bridge.text import escape_unsafe

log = logging.getLogger("ttlock_bridge.mqtt")

SOURCE = "mqtt"
BIRTH_SETTLE_S = (1.0, 2.0)
"""Seconds (least, most) after Home Assistant's birth message at which discovery and states are
re-sent, at a random moment between: many publishers do not flood a starting Home Assistant at
once (reference, "Birth"), and a burst of births costs one snapshot."""
ROOMS_EVERY_S = 60.0
SWEEP_TIMEOUT_S = 10.0
"""A sweep whose end marker never came back (the broker refused it) ends after this long."""

_command_source: ContextVar[str | None] = ContextVar("mqtt_command_source", default=None)
"""Set while this channel's command runs: the lock news it causes is marked `source: mqtt`."""


class MqttChannel:
    """The MQTT channel, started and stopped with the service."""

    name = "mqtt"

    def __init__(
        self,
        settings: MqttSettings,
        access: Access,
        locks: Locks,
        *,
        environ: Mapping[str, str] = os.environ,
    ) -> None:
        self._settings = settings
        self._access = access
        self._locks = locks
        config = access.config
        self._topics = Topics(settings.base_topic, settings.discovery_prefix)
        self._builder = DiscoveryBuilder(self._topics, config.property.name)
        self._doors = {name: door.lock_id for name, door in config.doors.items()}
        self._rooms_of_door = {door: rooms_opened_by(config, door) for door in config.doors}
        self._retained: dict[str, str] = {}
        self._facts: dict[str, LockFacts] = {}
        self._discovery_topics: set[str] = set()
        self._found: set[str] | None = None
        """Retained topics of ours the broker held at this connection's sweep; None between."""
        self._sweep_timer: asyncio.Task[None] | None = None
        self._republishing = False
        self._republish_again = False
        self._work: asyncio.Queue[Callable[[], Awaitable[None]]] = asyncio.Queue()
        self._tasks: set[asyncio.Task[None]] = set()
        self._link = BrokerLink(
            settings,
            self._topics,
            self._snapshot,
            self._received,
            [self._topics.commands, self._topics.birth],
            environ=environ,
            after_subscribe=self._start_sweep,
        )

    async def start(self) -> None:
        """Take every door's state as the lock state knows it, read the rooms, then connect in
        the background (the service starts even if the broker is away)."""
        for door, lock_id in self._doors.items():
            self._keep(self._topics.door_state(door), self._door_state(door, lock_id).payload())
        self._refresh_rooms(await self._access.occupancy.rooms())
        self._spawn(self._work_forever())
        self._spawn(self._rooms_every_minute())
        await self._link.start()

    async def stop(self) -> None:
        await self._link.stop()
        for task in list(self._tasks):
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)

    def status(self) -> ChannelStatus:
        return ChannelStatus(self.name, self._link.connected, self._link.detail)

    async def publish(self, news: LockNews) -> None:
        """The door's state topic at once (when it changed); its event, with the grant's name
        and room when a guest code was used, and the rooms of the door right after, in order."""
        door = news.door or self._door_of(news.lock_id)
        if door is None:
            return
        self._send_if_changed(self._topics.door_state(door), DoorState.of(door, news).payload())
        self._refresh_facts(door, news.lock_id)
        if news.event_method is not None:
            source, at_ms = _command_source.get(), self._access.clock()
            self._work.put_nowait(lambda: self._publish_event(door, news, at_ms, source))

    async def grant_changed(self, news: GrantNews) -> None:
        """A grant changed: re-read its room, or the rooms of its doors (later, in order)."""
        rooms = {news.room} if news.room else {r for d in news.doors for r in self._rooms_of(d)}
        self._work.put_nowait(lambda: self._reread_rooms(rooms))

    async def _publish_event(
        self, door: str, news: LockNews, at_ms: int, source: str | None
    ) -> None:
        grant = None
        tag = parse_tag(news.event_who)
        if tag is not None:  # a guest code: who and where, and the rooms may have changed
            try:
                occupancies = await self._access.occupancy.rooms()
            except Exception:  # the store is away: the event still goes out, without the grant
                log.exception("event=mqtt_rooms_unreadable door=%s", door)
            else:
                self._refresh_rooms(o for o in occupancies if o.room in self._rooms_of(door))
                grant = _grant_with_tag(occupancies, tag)
        payload = event_payload(door, news, at_ms, grant=grant, source=source)
        if payload is not None:
            self._link.send(self._topics.door_event(door), payload, retain=False)

    async def _reread_rooms(self, rooms: Iterable[str]) -> None:
        wanted = set(rooms)
        if wanted:
            occupancies = await self._access.occupancy.rooms()
            self._refresh_rooms(o for o in occupancies if o.room in wanted)

    def _refresh_rooms(self, occupancies: Iterable[RoomOccupancy]) -> None:
        for occupancy in occupancies:
            payload = room_payload(occupancy)
            self._send_if_changed(self._topics.room_state(occupancy.room), payload)

    async def _rooms_every_minute(self) -> None:
        while True:
            await asyncio.sleep(ROOMS_EVERY_S)
            self._work.put_nowait(lambda: self._reread_rooms(self._access.config.rooms))

    async def _work_forever(self) -> None:
        while True:
            job = await self._work.get()
            try:
                await job()
            except Exception:  # the next piece of news must still go out
                log.exception("event=mqtt_publish_failed")

    # -- discovery and the snapshot -------------------------------------------------------

    def _discovery(self) -> list[Discovery]:
        """The bridge's device first (every door names it in `via_device`), then the doors."""
        messages = self._builder.bridge(self._access.config.rooms)
        for door, lock_id in self._doors.items():
            self._facts[door] = self._lock_facts(lock_id)
            messages += self._door_discovery(door, lock_id, self._facts[door])
        self._discovery_topics = {message.topic for message in messages}
        return messages

    async def _snapshot(self) -> list[Outgoing]:
        """Every retained message: discovery, then the door and room states."""
        messages = [Outgoing(m.topic, m.payload, retain=True) for m in self._discovery()]
        messages += [Outgoing(t, p, retain=True) for t, p in self._retained.items()]
        return messages

    def _refresh_facts(self, door: str, lock_id: int) -> None:
        """Re-send a door's discovery once the lock detail tells its model and firmware."""
        facts = self._lock_facts(lock_id)
        if door in self._facts and facts != self._facts[door]:
            self._facts[door] = facts
            for message in self._door_discovery(door, lock_id, facts):
                self._link.send(message.topic, message.payload, retain=True)

    def _door_discovery(self, door: str, lock_id: int, facts: LockFacts) -> list[Discovery]:
        commands = self._settings.commands_allowed(door)
        return self._builder.door(door, lock_id, facts, commands=commands)

    def _lock_facts(self, lock_id: int) -> LockFacts:
        detail = self._locks.directory.cached_detail(lock_id)
        if detail is None:
            return LockFacts()
        return LockFacts(
            model=detail.model_num,
            firmware=detail.firmware_revision,
            hardware=detail.hardware_revision,
        )

    def _birth(self) -> None:
        """Home Assistant (re)started: a snapshot soon, or one more after the one under way."""
        if self._republishing:
            self._republish_again = True
            return
        self._republishing = True
        self._spawn(self._republish_after_births())

    async def _republish_after_births(self) -> None:
        """Send everything again after a random settle delay (`BIRTH_SETTLE_S`), and once more
        when a birth came while it was being sent (until it is on the broker)."""
        try:
            again = True
            while again:
                await asyncio.sleep(random.uniform(*BIRTH_SETTLE_S))  # noqa: S311 - not a secret
                self._republish_again = False
                log.info("event=mqtt_birth: re-sending discovery and states")
                for message in await self._snapshot():
                    self._link.send(message.topic, message.payload, retain=message.retain)
                await self._link.idle()
                again = self._republish_again
        finally:
            self._republishing = False

    async def _start_sweep(self) -> None:
        """Find the retained messages this bridge left earlier (discovery, door and room states)
        that the configuration no longer publishes: subscribe to all of ours and to the status,
        then re-send the retained `online` status as the end marker: the broker delivers it
        after the retained messages the subscriptions matched, and subscribers see nothing but
        the status they already hold."""
        if self._sweep_timer is not None:
            self._sweep_timer.cancel()
        self._found = set()
        for subscription in (*self._topics.our_retained, self._topics.status):
            await self._link.subscribe(subscription)
        self._link.send(self._topics.status, ONLINE, retain=True)
        self._sweep_timer = self._spawn(self._end_sweep_after(SWEEP_TIMEOUT_S))

    async def _end_sweep_after(self, seconds: float) -> None:
        await asyncio.sleep(seconds)
        await self._end_sweep()

    async def _end_sweep(self) -> None:
        """Clear (empty retained payload) what the sweep found that is not published now."""
        found, self._found = self._found, None
        if found is None:
            return
        for topic in sorted(found - self._discovery_topics - self._retained.keys()):
            log.info("event=mqtt_retained_removed topic=%s", topic)
            self._link.send(topic, "", retain=True)
        with contextlib.suppress(aiomqtt.MqttError):
            for subscription in (*self._topics.our_retained, self._topics.status):
                await self._link.unsubscribe(subscription)

    # -- what arrives ---------------------------------------------------------------------

    def _received(self, message: aiomqtt.Message) -> None:
        topic = message.topic.value
        if topic == self._topics.birth:
            if payload_text(message.payload) == ONLINE:
                self._birth()
            return
        if topic == self._topics.status:  # only while sweeping: our marker, live
            if self._found is not None and not message.retain:
                self._spawn(self._end_sweep())
            return
        if self._topics.is_ours_retained(topic):
            if self._found is not None and message.retain and message.payload:
                self._found.add(topic)
            return
        door = self._topics.door_of_command(topic)
        if door is not None:
            self._command(door, message)

    def _command(self, door: str, message: aiomqtt.Message) -> None:
        """A message on a door's command topic: act on LOCK / UNLOCK for a door that allows it;
        anything else changes nothing and is logged (a refusal also on the error topic)."""
        if door not in self._doors:
            log.warning("event=mqtt_command_ignored door=%s reason=unknown_door", _shown(door))
            return
        if message.retain:  # a retained command would act again at every reconnect
            log.warning("event=mqtt_command_ignored door=%s reason=retained", door)
            return
        command = read_command(message.payload)
        if command is None:
            log.warning("event=mqtt_command_ignored door=%s reason=unknown_payload", door)
            return
        if not self._settings.commands_allowed(door):
            log.warning("event=mqtt_command_refused door=%s command=%s", door, command.value)
            self._error(
                door,
                command,
                f"commands are off for door {door}: set [mqtt.doors.{door}] commands = true",
            )
            return
        self._spawn(self._run(door, command))

    async def _run(self, door: str, command: Command) -> None:
        log.info("event=mqtt_command door=%s command=%s source=%s", door, command.value, SOURCE)
        reference = DoorRef(door, self._doors[door])
        marked = _command_source.set(SOURCE)  # the command's own news only
        try:
            if command is Command.UNLOCK:
                await self._locks.commands.unlock(reference)
            else:
                await self._locks.commands.lock(reference)
        except Exception as error:  # the user sees why on the error topic; the log keeps it
            log.warning(
                "event=mqtt_command_failed door=%s command=%s error=%s", door, command.value, error
            )
            self._error(door, command, str(error))
        finally:
            _command_source.reset(marked)

    def _error(self, door: str, command: Command, error: str) -> None:
        self._link.send(
            self._topics.door_error(door), error_payload(command.value, error), retain=False
        )

    # -- helpers --------------------------------------------------------------------------

    def _door_state(self, door: str, lock_id: int) -> DoorState:
        state = self._locks.keeper.state(lock_id)
        gateway = self._locks.gateways.of(lock_id)
        return DoorState(
            door=door,
            lock_id=lock_id,
            bolt=state.bolt.value if state.bolt else None,
            inferred=state.bolt_inferred,
            battery=state.battery,
            gateway=gateway.state.value if gateway else None,
        )

    def _door_of(self, lock_id: int) -> str | None:
        door = self._locks.directory.door_of(lock_id)
        return door.door if door else None

    def _rooms_of(self, door: str) -> list[str]:
        return self._rooms_of_door.get(door, [])

    def _keep(self, topic: str, payload: str) -> bool:
        """Remember the topic's payload; True when it changed."""
        if self._retained.get(topic) == payload:
            return False
        self._retained[topic] = payload
        return True

    def _send_if_changed(self, topic: str, payload: str) -> None:
        if self._keep(topic, payload):
            self._link.send(topic, payload, retain=True)

    def _spawn(self, work: Awaitable[None]) -> asyncio.Task[None]:
        """Run `work` beside the channel; `stop` cancels it."""
        task = asyncio.ensure_future(work)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        return task


def _grant_with_tag(occupancies: Iterable[RoomOccupancy], tag: str) -> GrantRef | None:
    for occupancy in occupancies:
        for grant in (occupancy.current, occupancy.next):
            if grant is not None and grant.tag == tag:
                return GrantRef(grant.name, grant.room)
    return None


def _shown(text: str) -> str:
    """A name from outside, cut and escaped for a log line."""
    return escape_unsafe(text[:64])
