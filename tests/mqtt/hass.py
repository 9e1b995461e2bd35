"""A test client that plays Home Assistant on the test broker: it reads every topic of the
bridge and of the discovery prefix, keeps the last retained payload of each, and can wait for
a message that matches."""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager, suppress
from dataclasses import dataclass, field
from typing import Any

import aiomqtt

from .broker import BASE, HASS_PASSWORD, HASS_USER, PREFIX


@dataclass(frozen=True)
class Seen:
    topic: str
    payload: str
    retain: bool
    at: float  # time.monotonic() on arrival

    def json(self) -> Any:
        return json.loads(self.payload)


@dataclass
class FakeHass:
    client: aiomqtt.Client
    seen: list[Seen] = field(default_factory=list)
    _arrived: asyncio.Event = field(default_factory=asyncio.Event)

    def last(self, topic: str) -> Seen | None:
        return next((m for m in reversed(self.seen) if m.topic == topic), None)

    async def wait_for(
        self,
        topic: str,
        matches: Callable[[Seen], bool] = lambda _m: True,
        *,
        after: int = 0,
        within_s: float = 5.0,
    ) -> Seen:
        """The first message on `topic` from index `after` on that `matches`."""
        deadline = time.monotonic() + within_s
        while True:
            for message in self.seen[after:]:
                if message.topic == topic and matches(message):
                    return message
            left = deadline - time.monotonic()
            if left <= 0:
                got = [m.payload for m in self.seen[after:] if m.topic == topic]
                raise AssertionError(f"nothing on {topic} matched within {within_s} s: {got}")
            self._arrived.clear()
            with suppress(TimeoutError):
                await asyncio.wait_for(self._arrived.wait(), left)

    async def publish(self, topic: str, payload: str | bytes, *, retain: bool = False) -> None:
        await self.client.publish(topic, payload, qos=1, retain=retain)

    async def _collect(self) -> None:
        async for message in self.client.messages:
            payload = message.payload
            text = (
                payload.decode("utf-8", "replace")
                if isinstance(payload, bytes | bytearray)
                else str(payload)
            )
            self.seen.append(Seen(message.topic.value, text, message.retain, time.monotonic()))
            self._arrived.set()


@asynccontextmanager
async def fake_hass(port: int) -> AsyncIterator[FakeHass]:
    """Connected and subscribed to `<base>/#` and `<prefix>/#`."""
    async with aiomqtt.Client(
        "127.0.0.1", port, username=HASS_USER, password=HASS_PASSWORD, identifier="fake-hass"
    ) as client:
        hass = FakeHass(client)
        await client.subscribe(f"{BASE}/#", qos=1)
        await client.subscribe(f"{PREFIX}/#", qos=1)
        collector = asyncio.create_task(hass._collect())
        try:
            yield hass
        finally:
            collector.cancel()
            with suppress(asyncio.CancelledError, aiomqtt.MqttError):
                await collector
