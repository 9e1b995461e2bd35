"""Fixtures for the MQTT channel: a private mosquitto, the bridge (as `serve` runs it, on the
demo hotel and the simulator) publishing to it, and a client that plays Home Assistant."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest

from service.conftest import start_bridge  # noqa: F401 - the service tests' bridge fixture
from ttlock_bridge.config.mqtt import MqttDoor, MqttSettings

from .broker import (
    BRIDGE_PASSWORD,
    BRIDGE_USER,
    MOSQUITTO,
    MOSQUITTO_PASSWD,
    Mosquitto,
    running_mosquitto,
)
from .hass import FakeHass, fake_hass


@pytest.fixture
def mosquitto(tmp_path: Path) -> Iterator[Mosquitto]:
    if MOSQUITTO is None or MOSQUITTO_PASSWD is None:
        pytest.skip("mosquitto is not installed: `make test` installs it (apt-get, as root)")
    with running_mosquitto(tmp_path / "mosquitto") as broker:
        yield broker


@pytest.fixture
def mqtt_settings(mosquitto: Mosquitto, monkeypatch: pytest.MonkeyPatch) -> MqttSettings:
    """The bridge's `[mqtt]`: the test broker; commands allowed on room-1 only."""
    monkeypatch.setenv("MQTT_PASSWORD", BRIDGE_PASSWORD)
    return MqttSettings(
        host="127.0.0.1",
        port=mosquitto.port,
        username=BRIDGE_USER,
        doors={"room-1": MqttDoor(commands=True)},
    )


@pytest.fixture
async def hass(mosquitto: Mosquitto) -> AsyncIterator[FakeHass]:
    async with fake_hass(mosquitto.port) as client:
        yield client
