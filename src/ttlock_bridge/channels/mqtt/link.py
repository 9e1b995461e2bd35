"""`BrokerLink`: the one connection to the MQTT broker (aiomqtt), kept up with backoff.

Messages to send go through a bounded outbox, so whoever publishes never waits for the broker
and the bridge's own work (callbacks, grants, commands) goes on while the broker is away. On
every (re)connect the link first sends the retained `online` on the bridge's status topic (the
connection's last will says `offline`), then the channel's snapshot of every retained topic
(discovery and states), then the events that waited in the outbox: retained messages that
waited are dropped, the snapshot is newer. Messages arrive in order of sending (QoS 1), at
most `WINDOW` of them awaiting the broker's acknowledgement at a time.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import random
from collections import deque
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass

import aiomqtt
from aiomqtt.exceptions import MqttConnectError

from ttlock_bridge.channels.mqtt.topics import OFFLINE, ONLINE, Topics
from ttlock_bridge.config.mqtt import PASSWORD_VARIABLE, MqttSettings

log = logging.getLogger("ttlock_bridge.mqtt")

QOS = 1
OUTBOX_SIZE = 10_000
"""Messages kept while the broker is away; past this, new ones are dropped (and logged once):
states are re-sent whole at reconnect, so only events can be lost, and only this many."""
FIRST_RETRY_S = 1.0
LONGEST_RETRY_S = 60.0
KEEPALIVE_S = 30
STOP_WAIT_S = 5.0
"""How long `stop` waits for the connection to close."""
WINDOW = 8
"""Publishes awaiting their acknowledgement at once. aiomqtt logs a warning for every call
made while more than 10 are pending (`Client.pending_calls_threshold`): 8 keeps a snapshot of
hundreds of doors quiet and leaves room for a subscribe or the `offline` of `stop` beside it."""
REFUSED_LOGIN = {4, 5, 134, 135}
"""CONNACK codes of a broker that refused the login (`MqttConnectError.rc`): MQTT 3.1.1's 4
(bad user name or password) and 5 (not authorised), and their MQTT 5 reason codes 134 and 135
(paho reports 3.1.1's as these)."""
LOGIN_HINT = f"check [mqtt] username and the {PASSWORD_VARIABLE} variable"


@dataclass(frozen=True, slots=True)
class Outgoing:
    topic: str
    payload: str
    retain: bool


Snapshot = Callable[[], Awaitable[Sequence[Outgoing]]]
"""Every retained message the channel wants on the broker now (discovery first, then states)."""
Received = Callable[[aiomqtt.Message], None]


def retry_delays(first_s: float = FIRST_RETRY_S, longest_s: float = LONGEST_RETRY_S) -> list[float]:
    """Seconds to wait before each reconnect attempt: doubling from `first_s` to `longest_s`,
    the last one repeated for every later attempt."""
    delays = [first_s]
    while delays[-1] * 2 < longest_s:
        delays.append(delays[-1] * 2)
    return [*delays, longest_s]


class BrokerLink:
    """Connects, reconnects with backoff (1 s doubling to 60 s, with jitter), sends the outbox
    and hands every received message to `received` (from the link's own task: keep it quick).
    `after_subscribe` runs on each connection once the subscriptions are made."""

    def __init__(
        self,
        settings: MqttSettings,
        topics: Topics,
        snapshot: Snapshot,
        received: Received,
        subscriptions: Sequence[str],
        *,
        environ: Mapping[str, str] = os.environ,
        after_subscribe: Callable[[], Awaitable[None]] | None = None,
    ) -> None:
        self._settings = settings
        self._topics = topics
        self._snapshot = snapshot
        self._received = received
        self._subscriptions = subscriptions
        self._after_subscribe = after_subscribe
        self._password = environ.get(PASSWORD_VARIABLE) or None
        self._outbox: asyncio.Queue[Outgoing] = asyncio.Queue(OUTBOX_SIZE)
        self._idle = asyncio.Event()
        """Set while the outbox is empty and nothing taken from it is still being published."""
        self._client: aiomqtt.Client | None = None
        self._task: asyncio.Task[None] | None = None
        self._dropping = False
        self._stopping = False
        self.connected = False
        self.detail = "not started"

    @property
    def where(self) -> str:
        return f"{self._settings.host}:{self._settings.broker_port}"

    async def start(self) -> None:
        """Begin connecting in the background; the service starts even if the broker is away."""
        if self._settings.username and not self._password:
            log.warning(
                "event=mqtt_no_password username=%s: %s is empty",
                self._settings.username,
                PASSWORD_VARIABLE,
            )
        self._task = asyncio.create_task(self._connect_forever(), name="mqtt-link")

    async def stop(self) -> None:
        """Say `offline` (a clean disconnect sends no last will) and hang up."""
        client = self._client
        if client is not None and self.connected:
            with contextlib.suppress(aiomqtt.MqttError, TimeoutError):
                await asyncio.wait_for(
                    client.publish(self._topics.status, OFFLINE, qos=QOS, retain=True), 2.0
                )
        self._stopping = True  # aiomqtt may turn the cancellation into an MqttError
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError, TimeoutError):
                await asyncio.wait_for(self._task, STOP_WAIT_S)
            self._task = None
        self.connected = False
        self.detail = "stopped"

    def send(self, topic: str, payload: str, *, retain: bool) -> None:
        """Queue a message; never waits. Dropped (logged) when the outbox is full."""
        try:
            self._outbox.put_nowait(Outgoing(topic, payload, retain))
            self._idle.clear()
            self._dropping = False
        except asyncio.QueueFull:
            if not self._dropping:
                log.warning("event=mqtt_outbox_full size=%d: messages dropped", OUTBOX_SIZE)
            self._dropping = True

    async def idle(self) -> None:
        """Return once everything sent so far has been published (at once when it has; while
        the broker is away, not before the next connection has sent it)."""
        await self._idle.wait()

    async def subscribe(self, topic: str) -> None:
        """Subscribe now on the current connection (a no-op while not connected)."""
        if self._client is not None and self.connected:
            await self._client.subscribe(topic, qos=QOS)

    async def unsubscribe(self, topic: str) -> None:
        if self._client is not None and self.connected:
            await self._client.unsubscribe(topic)

    async def _connect_forever(self) -> None:
        delays = retry_delays()
        attempt = 0
        while not self._stopping:
            self.detail = f"connecting ({self.where}, attempt {attempt + 1})"
            try:
                await self._session()
            except aiomqtt.MqttError as error:
                was_connected = self.connected
                self.connected = False
                self._client = None
                if self._stopping:
                    return
                why = explained(error)
                if was_connected:
                    attempt = 0
                    log.warning("event=mqtt_connection_lost where=%s error=%s", self.where, why)
                else:
                    log.warning(
                        "event=mqtt_connect_failed where=%s attempt=%d error=%s",
                        self.where,
                        attempt + 1,
                        why,
                    )
                delay = delays[min(attempt, len(delays) - 1)] * random.uniform(0.8, 1.2)  # noqa: S311
                self.detail = f"cannot connect ({self.where}): {why}; retrying in {delay:.0f} s"
                attempt += 1
                await asyncio.sleep(delay)

    async def _session(self) -> None:
        """One connection, from connect to loss (raises `MqttError` when it ends)."""
        async with self._client_for_settings() as client:
            self._client = client
            await client.publish(self._topics.status, ONLINE, qos=QOS, retain=True)
            waiting = self._drain_events()
            await _publish_all(client, [*await self._snapshot(), *waiting])
            for topic in self._subscriptions:
                await client.subscribe(topic, qos=QOS)
            self.connected = True  # ready, and said so, before the channel's own subscriptions
            self.detail = f"connected ({self.where})"
            if self._after_subscribe is not None:
                await self._after_subscribe()
            log.info("event=mqtt_connected where=%s", self.where)
            sender = asyncio.create_task(self._send_forever(client), name="mqtt-send")
            try:
                await self._receive_forever(client)
            finally:
                sender.cancel()
                with contextlib.suppress(asyncio.CancelledError, aiomqtt.MqttError):
                    await sender

    async def _send_forever(self, client: aiomqtt.Client) -> None:
        """Send what the outbox holds, all that waits at once, in order."""
        while True:
            if self._outbox.empty():
                self._idle.set()
            batch = [await self._outbox.get()]
            while not self._outbox.empty():
                batch.append(self._outbox.get_nowait())
            await _publish_all(client, batch)

    async def _receive_forever(self, client: aiomqtt.Client) -> None:
        async for message in client.messages:
            try:
                self._received(message)
            except Exception:  # one bad message must not end the connection
                log.exception("event=mqtt_message_failed topic=%s", message.topic.value)
        raise aiomqtt.MqttError("the message stream ended")

    def _drain_events(self) -> list[Outgoing]:
        """Empty the outbox, keeping the events (the snapshot replaces retained states)."""
        kept = []
        while not self._outbox.empty():
            message = self._outbox.get_nowait()
            if not message.retain:
                kept.append(message)
        return kept

    def _client_for_settings(self) -> aiomqtt.Client:
        tls = self._settings.tls
        return aiomqtt.Client(
            self._settings.host,
            self._settings.broker_port,
            username=self._settings.username,
            password=self._password,
            identifier=self._settings.client_id,
            will=aiomqtt.Will(self._topics.status, OFFLINE, qos=QOS, retain=True),
            keepalive=KEEPALIVE_S,
            timeout=10,
            tls_params=(
                aiomqtt.TLSParameters(
                    ca_certs=tls.ca_file, certfile=tls.cert_file, keyfile=tls.key_file
                )
                if tls is not None
                else None
            ),
            logger=logging.getLogger("ttlock_bridge.mqtt.client"),
        )


def explained(error: aiomqtt.MqttError) -> str:
    """The error as aiomqtt words it (`[code:135] Not authorized`), with what to check when
    the broker refused the login."""
    if isinstance(error, MqttConnectError):
        code = getattr(error.rc, "value", error.rc)  # paho's ReasonCode, or a plain int
        if code in REFUSED_LOGIN:
            return f"{error} ({LOGIN_HINT})"
    return str(error)


async def _publish_all(client: aiomqtt.Client, messages: Sequence[Outgoing]) -> None:
    """Publish in this order without waiting for each acknowledgement in turn, `WINDOW` at a
    time: each publish is handed to the client before the next (the broker gets them in order),
    and the next one starts as soon as the oldest is acknowledged. The first failure ends the
    batch (raised; the rest are cancelled)."""
    pending: deque[asyncio.Task[None]] = deque()
    try:
        for message in messages:
            if len(pending) >= WINDOW:
                await pending.popleft()
            pending.append(
                asyncio.create_task(
                    client.publish(message.topic, message.payload, qos=QOS, retain=message.retain)
                )
            )
        while pending:
            await pending.popleft()
    finally:
        for task in pending:
            task.cancel()
        await asyncio.gather(*pending, return_exceptions=True)
