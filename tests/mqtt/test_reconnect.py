"""The broker going away and Home Assistant restarting: the bridge goes on with its own work,
reconnects with backoff, and publishes discovery and the states it learnt meanwhile again."""

from __future__ import annotations

import asyncio
import logging

import pytest

from service.bridge import ROOM_1, StartBridge
from ttlock_bridge.config.mqtt import MqttSettings

from .broker import Mosquitto
from .hass import FakeHass, fake_hass
from .test_states_and_commands import started, until

DISCOVERY = "homeassistant/event/ttlock-bridge/room-6_event/config"


def mqtt_ready(bridge_checks: list[dict[str, object]]) -> bool:
    return any(c["name"] == "channel:mqtt" and c["ready"] for c in bridge_checks)


async def test_a_broker_restart_republishes_and_catches_up(
    start_bridge: StartBridge, mqtt_settings: MqttSettings, hass: FakeHass, mosquitto: Mosquitto
) -> None:
    bridge = await started(start_bridge, mqtt_settings, hass)

    mosquitto.stop()  # no persistence: every retained message is gone with it
    await until(lambda: not mqtt_ready(bridge.api.get("/readyz").json()["checks"]), 10)
    bridge.simulator.control(f"locks/{ROOM_1}/keypad", {"code": "583190"})  # meanwhile
    assert bridge.api.post("/api/v1/locks/room-1/unlock").status_code == 200
    await asyncio.sleep(0.3)
    mosquitto.start()

    async with fake_hass(mosquitto.port) as after:
        await after.wait_for(DISCOVERY, within_s=15)
        state = await after.wait_for("ttlock-bridge/door/room-1/state")
        assert state.json()["bolt"] == "unlocked"  # learnt while the broker was away
        status = await after.wait_for("ttlock-bridge/status")
        assert status.payload == "online"
    await until(lambda: mqtt_ready(bridge.api.get("/readyz").json()["checks"]), 10)


async def test_home_assistant_birth_republishes_discovery(
    start_bridge: StartBridge, mqtt_settings: MqttSettings, hass: FakeHass
) -> None:
    await started(start_bridge, mqtt_settings, hass)
    mark = len(hass.seen)

    await hass.publish("homeassistant/status", "online")

    await hass.wait_for(DISCOVERY, after=mark, within_s=5)
    await hass.wait_for("ttlock-bridge/door/room-1/state", after=mark)
    await hass.wait_for("ttlock-bridge/room/room-1/state", after=mark)


async def test_home_assistant_going_offline_republishes_nothing(
    start_bridge: StartBridge, mqtt_settings: MqttSettings, hass: FakeHass
) -> None:
    await started(start_bridge, mqtt_settings, hass)
    mark = len(hass.seen)

    await hass.publish("homeassistant/status", "offline")

    await asyncio.sleep(1.5)
    assert not [m.topic for m in hass.seen[mark:] if m.topic.endswith("/config")]


async def test_a_broker_that_is_not_there_yet_is_waited_for(
    start_bridge: StartBridge, mqtt_settings: MqttSettings, mosquitto: Mosquitto
) -> None:
    mosquitto.stop()
    bridge = start_bridge(mqtt=mqtt_settings)  # the service starts all the same
    checks = bridge.api.get("/readyz").json()["checks"]
    mqtt = next(c for c in checks if c["name"] == "channel:mqtt")
    assert not mqtt["ready"]

    mosquitto.start()

    await until(lambda: mqtt_ready(bridge.api.get("/readyz").json()["checks"]), 10)


async def test_a_burst_of_births_costs_at_most_two_republishes(
    start_bridge: StartBridge, mqtt_settings: MqttSettings, hass: FakeHass
) -> None:
    await started(start_bridge, mqtt_settings, hass)
    mark = len(hass.seen)

    for _ in range(50):  # anyone who may publish the birth topic
        await hass.publish("homeassistant/status", "online")

    await hass.wait_for(DISCOVERY, after=mark, within_s=5)
    await asyncio.sleep(3.0)  # a second round, if any, comes within the settle delay
    republished = [m for m in hass.seen[mark:] if m.topic == DISCOVERY]
    assert 1 <= len(republished) <= 2, len(republished)


async def test_a_snapshot_goes_out_without_a_warning_per_message(
    start_bridge: StartBridge,
    mqtt_settings: MqttSettings,
    hass: FakeHass,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.WARNING, logger="ttlock_bridge.mqtt")
    await started(start_bridge, mqtt_settings, hass)
    mark = len(hass.seen)
    await hass.publish("homeassistant/status", "online")
    await hass.wait_for(DISCOVERY, after=mark, within_s=5)

    pending = [r for r in caplog.records if "pending publish calls" in r.getMessage()]
    assert not pending, f"{len(pending)} times: {pending[0].getMessage()}"
