"""Discovery: one Home Assistant device per door, in the per-component form every release since
2024.1 reads, the bridge's device first; doors taken out of the configuration are removed."""

from __future__ import annotations

import asyncio
import json
from typing import Any

from service.bridge import StartBridge
from ttlock_bridge.config import Config
from ttlock_bridge.config.mqtt import MqttSettings

from .broker import Mosquitto
from .hass import FakeHass, Seen, fake_hass
from .test_states_and_commands import until

DOORS = ["main-entrance", *(f"room-{n}" for n in range(1, 7))]
ROOMS = [f"room-{n}" for n in range(1, 7)]

COMMON = {
    "availability", "availability_mode", "availability_template", "availability_topic",
    "device", "enabled_by_default", "encoding", "entity_category", "icon",
    "json_attributes_template", "json_attributes_topic", "name", "object_id", "origin",
    "payload_available", "payload_not_available", "qos", "unique_id",
}  # fmt: skip
"""Keys every MQTT entity accepts: Home Assistant 2024.3 `mqtt/mixins.py`
(MQTT_ENTITY_COMMON_SCHEMA, MQTT_AVAILABILITY_SCHEMA) and the MQTT integration's docs."""
SCHEMA_KEYS = {
    "lock": COMMON | {
        "code_format", "command_template", "command_topic", "optimistic", "payload_lock",
        "payload_open", "payload_reset", "payload_unlock", "retain", "state_jammed",
        "state_locked", "state_locking", "state_topic", "state_unlocked", "state_unlocking",
        "value_template",
    },
    "sensor": COMMON | {
        "device_class", "expire_after", "force_update", "last_reset_value_template", "options",
        "state_class", "state_topic", "suggested_display_precision", "unit_of_measurement",
        "value_template",
    },
    "binary_sensor": COMMON | {
        "device_class", "expire_after", "force_update", "off_delay", "payload_off", "payload_on",
        "state_topic", "value_template",
    },
    "event": COMMON | {"device_class", "event_types", "state_topic", "value_template"},
}  # fmt: skip
"""Per platform, the documented discovery keys (Home Assistant 2024.3 `mqtt/<platform>.py`
PLATFORM_SCHEMA_MODERN); a key outside them is dropped by some releases or refused by others."""
REQUIRED = {"lock": {"command_topic"}, "event": {"event_types", "state_topic"}}
DEVICE_KEYS = {
    "identifiers", "connections", "manufacturer", "model", "name", "hw_version",
    "serial_number", "sw_version", "via_device", "suggested_area", "configuration_url",
}  # fmt: skip
"""The device block's keys in 2024.3 (MQTT_ENTITY_DEVICE_INFO_SCHEMA): it refuses any other."""


def configs(hass: FakeHass) -> dict[str, dict[str, Any]]:
    return {m.topic: m.json() for m in hass.seen if m.topic.endswith("/config") and m.payload}


async def test_every_door_is_a_device_with_bolt_battery_gateway_and_event(
    start_bridge: StartBridge, mqtt_settings: MqttSettings, hass: FakeHass
) -> None:
    start_bridge(mqtt=mqtt_settings)
    await hass.wait_for("homeassistant/event/ttlock-bridge/room-6_event/config")

    found = configs(hass)
    for door in DOORS:
        lock_topic = f"homeassistant/lock/ttlock-bridge/{door}_lock/config"
        read_only_topic = f"homeassistant/binary_sensor/ttlock-bridge/{door}_lock/config"
        if door == "room-1":  # commands on: a lock with Lock / Unlock
            lock = found[lock_topic]
            assert lock["command_topic"] == f"ttlock-bridge/door/{door}/set"
            assert read_only_topic not in found
        else:  # commands off: the bolt read-only, no controls that would do nothing
            lock = found[read_only_topic]
            assert lock["device_class"] == "lock"
            assert "command_topic" not in lock
            assert lock_topic not in found
        assert lock["name"] is None  # the device's main entity
        assert lock["device"]["manufacturer"] == "TTLock"
        assert lock["device"]["via_device"] == "ttlock-bridge"
        assert lock["availability_mode"] == "all"
        battery = found[f"homeassistant/sensor/ttlock-bridge/{door}_battery/config"]
        assert (battery["device_class"], battery["unit_of_measurement"]) == ("battery", "%")
        gateway = found[f"homeassistant/binary_sensor/ttlock-bridge/{door}_gateway/config"]
        assert gateway["device_class"] == "connectivity"
        event = found[f"homeassistant/event/ttlock-bridge/{door}_event/config"]
        wanted = {"keypad", "app", "card", "fingerprint", "remote", "locked", "failed_attempt"}
        assert wanted <= set(event["event_types"])
    for room in ROOMS:
        sensor = found[f"homeassistant/sensor/ttlock-bridge/room_{room}/config"]
        assert sensor["options"] == ["vacant", "arriving", "in_house", "leaving"]


async def test_payloads_keep_to_the_documented_schema_of_each_platform(
    start_bridge: StartBridge, mqtt_settings: MqttSettings, hass: FakeHass
) -> None:
    start_bridge(mqtt=mqtt_settings)
    await hass.wait_for("homeassistant/event/ttlock-bridge/room-6_event/config")

    unique_ids = set()
    for topic, config in configs(hass).items():
        component = topic.split("/")[1]
        assert set(config) <= SCHEMA_KEYS[component], topic
        assert REQUIRED.get(component, set()) <= set(config), topic
        assert set(config["device"]) <= DEVICE_KEYS, topic
        assert config["device"]["identifiers"], topic
        assert config["origin"]["name"] == "ttlock-bridge"  # an origin without a name is dropped
        assert "object_id" not in config  # deprecated in 2025.10, ignored from 2026.4
        assert config["device"].get("via_device") != config["device"]["identifiers"][0]
        assert "payload_open" not in config  # no open states before 2024.5
        unique_ids.add(config["unique_id"])
        assert not config.get("name") or not str(config["name"]).startswith(
            config["device"].get("name", "\0")
        )  # named by role: 2024.2 no longer strips a device-name prefix
    assert len(unique_ids) == len(configs(hass))


async def test_the_bridge_device_comes_before_the_doors_that_name_it(
    start_bridge: StartBridge, mqtt_settings: MqttSettings, hass: FakeHass
) -> None:
    start_bridge(mqtt=mqtt_settings)
    await hass.wait_for("homeassistant/event/ttlock-bridge/room-6_event/config")

    order = [m.topic for m in hass.seen if m.topic.endswith("/config")]
    assert order[0] == "homeassistant/binary_sensor/ttlock-bridge/bridge/config"
    bridge = configs(hass)[order[0]]
    assert bridge["device"]["identifiers"] == ["ttlock-bridge"]
    assert "via_device" not in bridge["device"]


async def test_a_late_subscriber_gets_status_discovery_and_states_retained(
    start_bridge: StartBridge, mqtt_settings: MqttSettings, hass: FakeHass, mosquitto: Mosquitto
) -> None:
    start_bridge(mqtt=mqtt_settings)
    await hass.wait_for("ttlock-bridge/door/room-6/state")

    async with fake_hass(mosquitto.port) as late:
        await late.wait_for("ttlock-bridge/door/room-6/state")
        # every discovery message, in whatever order the broker keeps its retained ones
        await until(lambda: set(configs(late)) == set(configs(hass)), 5)
        first: dict[str, Seen] = {}
        for message in late.seen:
            first.setdefault(message.topic, message)
        assert all(m.retain for m in first.values())  # later ones may be news since
        status = late.last("ttlock-bridge/status")
        assert status is not None
        assert status.payload == "online"
        state = late.last("ttlock-bridge/door/room-1/state")
        assert state is not None
        assert set(state.json()) == {"door", "lock_id", "bolt", "inferred", "battery", "gateway"}


async def test_a_door_taken_out_of_the_configuration_is_removed(
    start_bridge: StartBridge, mqtt_settings: MqttSettings, hass: FakeHass, mosquitto: Mosquitto
) -> None:
    ghost = "homeassistant/lock/ttlock-bridge/room-99_lock/config"
    other = "homeassistant/lock/another-bridge/room-99_lock/config"
    for topic in (ghost, other):
        await hass.publish(topic, json.dumps({"command_topic": "x"}), retain=True)

    start_bridge(mqtt=mqtt_settings)

    await hass.wait_for(ghost, lambda m: m.payload == "")
    async with fake_hass(mosquitto.port) as late:  # what the broker still holds
        await late.wait_for(other)
        await late.wait_for("homeassistant/event/ttlock-bridge/room-6_event/config")
        assert late.last(ghost) is None
        assert all(m.payload for m in hass.seen if m.topic == other)  # not ours: left alone


def without_room_6(config: Config) -> Config:
    """The hotel after room-6 (its room and its door) left the configuration."""
    rooms = {name: room for name, room in config.rooms.items() if name != "room-6"}
    doors = {name: door for name, door in config.doors.items() if name != "room-6"}
    return config.model_copy(update={"rooms": rooms, "doors": doors})


async def test_a_restart_without_a_door_and_a_room_leaves_nothing_of_them_retained(
    start_bridge: StartBridge, mqtt_settings: MqttSettings, hass: FakeHass, mosquitto: Mosquitto
) -> None:
    first = start_bridge(mqtt=mqtt_settings)
    await hass.wait_for("ttlock-bridge/room/room-6/state")
    await hass.wait_for("homeassistant/lock/ttlock-bridge/room-1_lock/config")
    first.stop()
    # room-6 gone, and room-1's commands off: its lock becomes the read-only bolt
    start_bridge(mqtt=mqtt_settings.model_copy(update={"doors": {}}), config_change=without_room_6)

    gone = [
        "ttlock-bridge/door/room-6/state",  # the last state of a door no longer configured
        "ttlock-bridge/room/room-6/state",  # may name a guest
        "homeassistant/binary_sensor/ttlock-bridge/room-6_lock/config",
        "homeassistant/sensor/ttlock-bridge/room_room-6/config",
        "homeassistant/lock/ttlock-bridge/room-1_lock/config",  # the form room-1 had before
    ]
    for topic in gone:
        await hass.wait_for(topic, lambda m: m.payload == "" and m.retain is False, within_s=10)
    async with fake_hass(mosquitto.port) as late:  # what the broker still holds
        await late.wait_for("homeassistant/binary_sensor/ttlock-bridge/room-1_lock/config")
        await late.wait_for("ttlock-bridge/room/room-5/state")
        await late.wait_for("ttlock-bridge/door/room-5/state")
        await asyncio.sleep(0.5)
        held = {m.topic for m in late.seen if m.retain}
        assert not held & set(gone)
        assert not [t for t in held if "room-6" in t]


async def test_the_sweep_leaves_no_marker_of_its_own_on_the_broker(
    start_bridge: StartBridge, mqtt_settings: MqttSettings, hass: FakeHass
) -> None:
    start_bridge(mqtt=mqtt_settings)
    await hass.wait_for("homeassistant/event/ttlock-bridge/room-6_event/config")
    await asyncio.sleep(1.0)

    plain = {m.topic for m in hass.seen if m.topic.startswith("ttlock-bridge/")}
    doors_and_rooms = ("ttlock-bridge/door/", "ttlock-bridge/room/")
    # the sweep's end marker is the bridge's own `online` again: nothing new to see
    assert {t for t in plain if not t.startswith(doors_and_rooms)} == {"ttlock-bridge/status"}
    assert {m.payload for m in hass.seen if m.topic == "ttlock-bridge/status"} == {"online"}
