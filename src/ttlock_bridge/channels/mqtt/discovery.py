"""Home Assistant MQTT discovery payloads: pure building, no I/O.

Per-component discovery (`<prefix>/<component>/<base>/<object_id>/config`, retained), the form
that Home Assistant 2024.1 to today, openHAB and ioBroker all read
(shared/reference/home-assistant-mqtt.md, "Two discovery forms"). The rules of that reference
applied here, by its table:

- `origin` always carries `name` (an origin without one drops the whole message);
- entities are named by role ("Battery"), the door's bolt is the device's main entity
  (`name: null`);
- a door that accepts commands is a `lock` (its `command_topic` is required, and Home Assistant
  shows Lock / Unlock); a door whose commands are off is a read-only `binary_sensor` of device
  class `lock` (on = unlocked), which has no controls that would do nothing. Both forms use the
  same object id (`<door>_lock`) under different components: when a door switches, the other
  form's discovery is a leftover that the channel's sweep clears;
- lock states are LOCKED / UNLOCKED only, no `payload_open`; an unknown bolt renders `None`
  (the lock's default `payload_reset`, Home Assistant shows "unknown"; likewise for the
  binary sensor);
- battery in `%`, device class battery, diagnostic; gateway a connectivity binary sensor;
- no `object_id` nor `default_entity_id`: Home Assistant derives entity ids from the names;
- the bridge's own device is published first, since every door names it in `via_device`
  (and never itself);
- the lock is available while the bridge is online *and* the door's gateway is not offline
  (`availability_mode: all`); battery and gateway stay available when only the gateway is down,
  they tell the user why.

Every state is read by templates from the plain JSON topics (payloads.py), one source for
Home Assistant and every other tool.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from ttlock_bridge import __version__
from ttlock_bridge.channels.mqtt.payloads import EVENT_TYPES
from ttlock_bridge.channels.mqtt.topics import OFFLINE, ONLINE, Topics

ORIGIN = {
    "name": "ttlock-bridge",
    "sw_version": __version__,
    "support_url": "https://github.com/ttlock-bridge/ttlock-bridge",
}
MANUFACTURER = "TTLock"
ROOM_STATES = ("vacant", "arriving", "in_house", "leaving")
"""The room sensor's options (`access.occupancy.RoomState`'s values)."""

LOCK_STATE_TEMPLATE = (
    "{% if value_json.bolt == 'locked' %}LOCKED"
    "{% elif value_json.bolt == 'unlocked' %}UNLOCKED"
    "{% else %}None{% endif %}"
)
GATEWAY_TEMPLATE = (
    "{% if value_json.gateway == 'online' %}ON"
    "{% elif value_json.gateway in ['offline', 'none'] %}OFF"
    "{% else %}None{% endif %}"
)
BOLT_OPEN_TEMPLATE = (
    "{% if value_json.bolt == 'unlocked' %}ON"
    "{% elif value_json.bolt == 'locked' %}OFF"
    "{% else %}None{% endif %}"
)
"""The read-only bolt (binary sensor, device class lock): on means unlocked."""
REACHABLE_TEMPLATE = "{{ 'offline' if value_json.gateway == 'offline' else 'online' }}"
"""A door's lock is unavailable while its gateway is known to be offline."""


@dataclass(frozen=True, slots=True)
class LockFacts:
    """What the lock's detail told (cached; None until the first read): the device's model,
    firmware and hardware revision (TTLock `modelNum`, `firmwareRevision`, `hardwareRevision`,
    reference §5.2)."""

    model: str | None = None
    firmware: str | None = None
    hardware: str | None = None


@dataclass(frozen=True, slots=True)
class Discovery:
    """One retained discovery message: its topic and its JSON payload."""

    topic: str
    payload: str


class DiscoveryBuilder:
    """The discovery messages of one bridge (`topics`), its property named `property_name`."""

    def __init__(self, topics: Topics, property_name: str) -> None:
        self._topics = topics
        self._property_name = property_name
        self._bridge_id = topics.base

    def bridge(self, rooms: Iterable[str]) -> list[Discovery]:
        """The bridge's own device: its connection and one occupancy sensor per room."""
        device = {
            "identifiers": [self._bridge_id],
            "name": f"{self._property_name} TTLock bridge",
            "manufacturer": "ttlock-bridge",
            "model": "TTLock bridge",
            "sw_version": __version__,
        }
        status = self._topics.status
        messages = [
            self._message(
                "binary_sensor",
                "bridge",
                {
                    "name": "Connection",
                    "unique_id": f"{self._bridge_id}_bridge",
                    "device": device,
                    "state_topic": status,
                    "payload_on": ONLINE,
                    "payload_off": OFFLINE,
                    "device_class": "connectivity",
                    "entity_category": "diagnostic",
                },
            )
        ]
        for room in rooms:
            state = self._topics.room_state(room)
            messages.append(
                self._message(
                    "sensor",
                    f"room_{room}",
                    {
                        "name": f"Room {room}",
                        "unique_id": f"{self._bridge_id}_room_{room}",
                        "device": {"identifiers": [self._bridge_id]},
                        "state_topic": state,
                        "value_template": "{{ value_json.state }}",
                        "json_attributes_topic": state,
                        "device_class": "enum",
                        "options": list(ROOM_STATES),
                        "icon": "mdi:bed",
                        "availability_topic": status,
                    },
                )
            )
        return messages

    def door(self, door: str, lock_id: int, facts: LockFacts, *, commands: bool) -> list[Discovery]:
        """A door's device (manufacturer TTLock, model and firmware from the lock detail, via
        the bridge) with its bolt (a lock with `commands`, else a read-only binary sensor),
        battery, gateway and event entities."""
        device: dict[str, Any] = {
            "identifiers": [self._door_id(door)],
            "name": door,
            "manufacturer": MANUFACTURER,
            "via_device": self._bridge_id,
            "serial_number": str(lock_id),
        }
        if facts.model:
            device["model"] = facts.model
        if facts.firmware:
            device["sw_version"] = facts.firmware
        if facts.hardware:
            device["hw_version"] = facts.hardware
        state = self._topics.door_state(door)
        status = self._topics.status
        base = {"device": device, "availability_topic": status}
        bolt = {
            "name": None,
            "device": device,
            "state_topic": state,
            "json_attributes_topic": state,
            "availability": [
                {"topic": status},
                {"topic": state, "value_template": REACHABLE_TEMPLATE},
            ],
            "availability_mode": "all",
        }
        return [
            self._message(
                "lock",
                f"{door}_lock",
                bolt
                | {
                    "unique_id": f"{self._door_id(door)}_lock",
                    "value_template": LOCK_STATE_TEMPLATE,
                    "command_topic": self._topics.door_command(door),
                    "payload_lock": "LOCK",
                    "payload_unlock": "UNLOCK",
                    "state_locked": "LOCKED",
                    "state_unlocked": "UNLOCKED",
                    "optimistic": False,
                },
            )
            if commands
            else self._message(
                "binary_sensor",
                f"{door}_lock",
                bolt
                | {
                    "unique_id": f"{self._door_id(door)}_lock_state",
                    "value_template": BOLT_OPEN_TEMPLATE,
                    "device_class": "lock",
                },
            ),
            self._message(
                "sensor",
                f"{door}_battery",
                base
                | {
                    "name": "Battery",
                    "unique_id": f"{self._door_id(door)}_battery",
                    "state_topic": state,
                    "value_template": "{{ value_json.battery }}",
                    "device_class": "battery",
                    "unit_of_measurement": "%",
                    "state_class": "measurement",
                    "entity_category": "diagnostic",
                },
            ),
            self._message(
                "binary_sensor",
                f"{door}_gateway",
                base
                | {
                    "name": "Gateway",
                    "unique_id": f"{self._door_id(door)}_gateway",
                    "state_topic": state,
                    "value_template": GATEWAY_TEMPLATE,
                    "device_class": "connectivity",
                    "entity_category": "diagnostic",
                },
            ),
            self._message(
                "event",
                f"{door}_event",
                base
                | {
                    "name": "Event",
                    "unique_id": f"{self._door_id(door)}_event",
                    "state_topic": self._topics.door_event(door),
                    "event_types": list(EVENT_TYPES),
                },
            ),
        ]

    def _door_id(self, door: str) -> str:
        return f"{self._bridge_id}_{door}"

    def _message(self, component: str, object_id: str, config: dict[str, Any]) -> Discovery:
        payload = json.dumps(config | {"origin": ORIGIN}, ensure_ascii=False)
        return Discovery(self._topics.discovery(component, object_id), payload)
