"""Home Assistant 2024.3.3 itself as the consumer: started with a configuration built from
docs/home-assistant.md and its MQTT integration on the test broker, it shows the bridge's
entities with the bridge's values, shows a door that accepts commands as a lock that unlocks it
and a door whose commands are off as a read-only lock sensor (no lock entity), shows a door
unavailable while its gateway is offline, and creates every entity the docs' `rest:` examples
promise on a fresh start."""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from mqtt.broker import HASS_PASSWORD, HASS_USER, Mosquitto
from mqtt.test_states_and_commands import open_state
from service.bridge import API_TOKEN, ROOM_1, StartBridge
from service.conftest import free_port
from ttlock_bridge.config.mqtt import MqttSettings

from .home_assistant import HASS, RunningHass, configuration_from_docs, mqtt_entry, running_hass

pytestmark = [
    pytest.mark.timeout(1200),
    pytest.mark.skipif(not HASS.exists(), reason="no .venv-ha: `make home-assistant` makes it"),
]
ROOM_2 = ROOM_1 + 1
GATEWAY = "500001"  # the demo hotel's one gateway


def until(probe: Callable[[], Any], within_s: float = 60.0) -> Any:
    deadline = time.monotonic() + within_s
    while not (answer := probe()):
        assert time.monotonic() < deadline, "never happened"
        time.sleep(0.25)
    return answer


def test_home_assistant_shows_the_bridge_and_unlocks_only_doors_with_commands(
    start_bridge: StartBridge, mqtt_settings: MqttSettings, mosquitto: Mosquitto, tmp_path: Path
) -> None:
    bridge = start_bridge(mqtt=mqtt_settings, cloud={"gateway_poll": timedelta(seconds=1)})
    configuration, secrets = configuration_from_docs(bridge.url, API_TOKEN)
    with running_hass(
        tmp_path / "hass",
        free_port(),
        configuration=configuration,
        secrets=secrets,
        mqtt=mqtt_entry(mosquitto.port, HASS_USER, HASS_PASSWORD),
    ) as hass:
        states = until(lambda: _with(hass, "lock.room_1", "event.room_1_event"), 120)

        expected = {
            "lock.room_1", "binary_sensor.main_entrance", "binary_sensor.room_2",
            "binary_sensor.room_6", "sensor.room_1_battery", "binary_sensor.room_1_gateway",
            "event.room_1_event",
        }  # fmt: skip
        assert expected <= set(states)
        # commands on room-1 only (mqtt_settings): every other door is read-only
        assert [e for e in states if e.startswith("lock.")] == ["lock.room_1"]
        assert states["binary_sensor.room_2"]["attributes"]["device_class"] == "lock"
        until(  # the attributes come with its state topic's retained message
            lambda: hass.states()["binary_sensor.room_2"]["attributes"].get("lock_id") == ROOM_2,
            30,
        )
        rooms = [e for e in states if e.startswith("sensor.") and e.endswith("_room_room_1")]
        assert len(rooms) == 1, sorted(states)
        until(lambda: hass.states()[rooms[0]]["state"] == "vacant", 30)
        battery = bridge.api.get("/api/v1/locks/room-1/state").json()["battery"]
        until(lambda: hass.states()["sensor.room_1_battery"]["state"] == str(battery))

        # the rest: examples of the docs: every entity exists on a fresh start
        for entity in (
            "sensor.room_1_lock_battery",
            "binary_sensor.room_1_unlocked",
            "sensor.room_1_battery_reported",
        ):
            assert entity in states, sorted(states)

        assert hass.call("lock", "unlock", {"entity_id": "lock.room_1"}).status_code == 200
        until(lambda: open_state(bridge, ROOM_1) == 1, 20)
        until(lambda: hass.states()["lock.room_1"]["state"] == "unlocked", 20)
        event = until(lambda: _event(hass, "event.room_1_event"), 20)
        # the command's event (source mqtt) and then the lock's own record (via the callback)
        assert event["event_type"] == "remote"
        assert event["door"] == "room-1"

        # a door without commands has no Lock / Unlock, and shows what the lock does (on =
        # unlocked), here after an unlock through the REST API
        assert hass.states()["binary_sensor.room_2"]["state"] != "on"
        assert bridge.api.post("/api/v1/locks/room-2/unlock").status_code == 200
        until(lambda: hass.states()["binary_sensor.room_2"]["state"] == "on", 20)

        # the gateway goes down: the lock is unavailable, battery and gateway say why
        bridge.simulator.control(f"gateways/{GATEWAY}", {"online": False})
        until(lambda: hass.states()["lock.room_1"]["state"] == "unavailable", 20)
        after = hass.states()
        assert after["binary_sensor.room_1_gateway"]["state"] == "off"
        assert after["sensor.room_1_battery"]["state"] == str(battery)
        bridge.simulator.control(f"gateways/{GATEWAY}", {"online": True})
        until(lambda: hass.states()["lock.room_1"]["state"] != "unavailable", 20)

        # no discovery message refused, no template error, no rest: sensor failing
        complaints = [
            line
            for line in hass.log.read_text(errors="replace").splitlines()
            if (" ERROR " in line or " WARNING " in line)
            and any(part in line for part in ("mqtt", "template", "rest", "sensor", "lock"))
            and SLOW_START not in line  # Home Assistant's own start on a loaded machine
        ]
        assert not complaints, complaints


SLOW_START = "[homeassistant.bootstrap] Waiting on integrations to complete setup"
"""Home Assistant's warning that its start takes long (every few seconds while a loaded
machine sets an integration up): about the machine, not about what the bridge published."""


def _with(hass: RunningHass, *entities: str) -> dict[str, dict[str, Any]] | None:
    states = hass.states()
    return states if all(entity in states for entity in entities) else None


def _event(hass: RunningHass, entity: str) -> dict[str, Any] | None:
    attributes: dict[str, Any] = hass.states()[entity]["attributes"]
    return attributes if attributes.get("event_type") else None
