"""States, events and commands over MQTT on the running bridge and the simulator: a keypad use
shows as event and state within a second; LOCK / UNLOCK act only on doors that allow them;
garbage on the command topics changes nothing; the gateway going down makes the door
unavailable."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from datetime import date, timedelta
from typing import Any

import aiomqtt

from service.bridge import MAIN_ENTRANCE, ROOM_1, RunningBridge, StartBridge
from ttlock_bridge.config.mqtt import MqttSettings
from ttlock_bridge.simulator import Scenario

from .broker import HASS_PASSWORD, HASS_USER, Mosquitto
from .hass import FakeHass

ROOM_2 = ROOM_1 + 1
GATEWAY = "500001"


async def until(probe: Callable[[], Any], within_s: float = 15.0) -> Any:
    deadline = time.monotonic() + within_s
    while not (answer := probe()):
        assert time.monotonic() < deadline, "never happened"
        await asyncio.sleep(0.05)
    return answer


async def started(
    start_bridge: StartBridge, settings: MqttSettings, hass: FakeHass, **options: Any
) -> RunningBridge:
    bridge = start_bridge(mqtt=settings, **options)
    await hass.wait_for("homeassistant/event/ttlock-bridge/room-6_event/config")
    await hass.wait_for("ttlock-bridge/room/room-6/state")
    await hass.wait_for(  # the lock detail read at start completes the devices
        "homeassistant/event/ttlock-bridge/room-6_event/config",
        lambda m: "sw_version" in m.json()["device"],
    )
    return bridge


async def placed_stay(bridge: RunningBridge, name: str = "Smith") -> str:
    """A current stay in room-1 whose code is on both of its locks; its code."""
    today = date.today()
    grant = bridge.api.post(
        "/api/v1/grants",
        json={
            "room": "room-1",
            "start": f"{today - timedelta(days=1)}T00:00",
            "end": (today + timedelta(days=2)).isoformat(),
            "name": name,
        },
    ).json()
    code: str = grant["code"]
    await until(lambda: all(bridge.passcodes_on(lock) for lock in (ROOM_1, MAIN_ENTRANCE)))
    return code


def open_state(bridge: RunningBridge, lock_id: int) -> int:
    lock = next(lock for lock in bridge.simulator.state()["locks"] if lock["lockId"] == lock_id)
    state: int = lock["openState"]
    return state


async def test_a_keypad_use_shows_as_event_and_state_within_a_second(
    start_bridge: StartBridge, mqtt_settings: MqttSettings, hass: FakeHass
) -> None:
    bridge = await started(start_bridge, mqtt_settings, hass)
    code = await placed_stay(bridge, "Smith")
    arriving = await hass.wait_for(  # grant news, not the minute's re-read
        "ttlock-bridge/room/room-1/state", lambda m: m.json()["state"] == "arriving", within_s=3
    )
    assert (arriving.json()["guest"], arriving.json()["first_use"]) == ("Smith", None)
    mark = len(hass.seen)

    typed_at = time.monotonic()
    assert bridge.simulator.control(f"locks/{MAIN_ENTRANCE}/keypad", {"code": code})["opened"]

    door = "ttlock-bridge/door/main-entrance"
    state = await hass.wait_for(
        f"{door}/state", lambda m: m.json()["bolt"] == "unlocked", after=mark
    )
    event = await hass.wait_for(f"{door}/event", after=mark)
    assert state.at - typed_at < 1.0
    assert event.at - typed_at < 1.0
    body = event.json()
    assert body["event_type"] == "keypad"
    assert (body["who"], body["room"], body["method"]) == ("Smith", "room-1", "PIN")
    assert not event.retain
    assert all(code not in m.payload for m in hass.seen)  # never the code, anywhere
    assert "*" not in event.payload  # not even the masked code
    room = await hass.wait_for(
        "ttlock-bridge/room/room-1/state", lambda m: m.json()["state"] == "in_house", after=mark
    )
    assert room.json()["guest"] == "Smith"
    assert room.json()["first_use"] is not None


async def test_a_wrong_code_is_a_failed_attempt(
    start_bridge: StartBridge, mqtt_settings: MqttSettings, hass: FakeHass
) -> None:
    bridge = await started(start_bridge, mqtt_settings, hass)
    bridge.simulator.control(f"locks/{ROOM_1}/keypad", {"code": "583190"})

    event = await hass.wait_for("ttlock-bridge/door/room-1/event")
    assert event.json()["event_type"] == "failed_attempt"
    assert "583190" not in event.payload
    assert "*" not in event.payload


async def test_unlock_opens_an_allowed_door_and_is_an_event_from_mqtt(
    start_bridge: StartBridge, mqtt_settings: MqttSettings, hass: FakeHass
) -> None:
    bridge = await started(start_bridge, mqtt_settings, hass)
    mark = len(hass.seen)

    await hass.publish("ttlock-bridge/door/room-1/set", "UNLOCK")

    state = await hass.wait_for(
        "ttlock-bridge/door/room-1/state", lambda m: m.json()["bolt"] == "unlocked", after=mark
    )
    assert state.json()["inferred"] is False
    event = await hass.wait_for("ttlock-bridge/door/room-1/event", after=mark)
    assert (event.json()["event_type"], event.json()["source"]) == ("remote", "mqtt")
    assert open_state(bridge, ROOM_1) == 1

    await hass.publish("ttlock-bridge/door/room-1/set", "LOCK")
    await hass.wait_for(
        "ttlock-bridge/door/room-1/state", lambda m: m.json()["bolt"] == "locked", after=mark
    )
    locked = await hass.wait_for(
        "ttlock-bridge/door/room-1/event", lambda m: m.json()["event_type"] == "locked", after=mark
    )
    assert locked.json()["source"] == "mqtt"


async def test_a_door_without_commands_refuses_and_says_so(
    start_bridge: StartBridge, mqtt_settings: MqttSettings, hass: FakeHass
) -> None:
    bridge = await started(start_bridge, mqtt_settings, hass)

    await hass.publish("ttlock-bridge/door/room-2/set", "UNLOCK")

    error = await hass.wait_for("ttlock-bridge/door/room-2/error")
    assert error.json()["command"] == "UNLOCK"
    assert "[mqtt.doors.room-2] commands = true" in error.json()["error"]
    await asyncio.sleep(0.5)
    assert open_state(bridge, ROOM_2) != 1
    assert hass.last("ttlock-bridge/door/room-2/event") is None


async def test_garbage_on_command_topics_changes_nothing(
    start_bridge: StartBridge, mqtt_settings: MqttSettings, hass: FakeHass
) -> None:
    # a retained command would act at every reconnect: the one the broker keeps is ignored
    await hass.publish("ttlock-bridge/door/room-1/set", "UNLOCK", retain=True)
    bridge = await started(start_bridge, mqtt_settings, hass)
    garbage: list[str | bytes] = [
        "unlock", "OPEN", "", " ", "UNLOCK" * 1000, b"\xff\xfe\x00UNLOCK", "UNLOCK\x00",
        "{\"state\": \"UNLOCK\"}", "\u202eKCOLNU",
    ]  # fmt: skip
    for payload in garbage:
        await hass.publish("ttlock-bridge/door/room-1/set", payload)
    await hass.publish("ttlock-bridge/door/room-99/set", "UNLOCK")

    await asyncio.sleep(1.0)
    assert open_state(bridge, ROOM_1) != 1
    assert hass.last("ttlock-bridge/door/room-1/event") is None
    state = hass.last("ttlock-bridge/door/room-1/state")
    assert state is not None
    assert state.json()["bolt"] is None
    checks = {check["name"]: check for check in bridge.api.get("/readyz").json()["checks"]}
    assert checks["channel:mqtt"]["ready"] is True


async def test_gateway_offline_makes_the_door_unavailable(
    start_bridge: StartBridge, mqtt_settings: MqttSettings, hass: FakeHass
) -> None:
    bridge = await started(
        start_bridge, mqtt_settings, hass, cloud={"gateway_poll": timedelta(seconds=1)}
    )
    topic = "ttlock-bridge/door/room-1/state"
    await hass.wait_for(topic, lambda m: m.json()["gateway"] == "online")
    mark = len(hass.seen)

    bridge.simulator.control(f"gateways/{GATEWAY}", {"online": False})

    await hass.wait_for(topic, lambda m: m.json()["gateway"] == "offline", after=mark)
    bridge.simulator.control(f"gateways/{GATEWAY}", {"online": True})
    await hass.wait_for(topic, lambda m: m.json()["gateway"] == "online", after=mark)


def quick_auto_lock(scenario: Scenario) -> Scenario:
    locks = [lock.model_copy(update={"auto_lock_seconds": 1}) for lock in scenario.locks]
    return scenario.model_copy(update={"locks": locks})


async def test_the_auto_lock_after_an_mqtt_unlock_is_not_from_mqtt(
    start_bridge: StartBridge, mqtt_settings: MqttSettings, hass: FakeHass
) -> None:
    await started(start_bridge, mqtt_settings, hass, scenario_change=quick_auto_lock)
    mark = len(hass.seen)

    await hass.publish("ttlock-bridge/door/room-1/set", "UNLOCK")

    topic = "ttlock-bridge/door/room-1/event"
    unlocked = await hass.wait_for(topic, lambda m: m.json()["event_type"] == "remote", after=mark)
    assert unlocked.json()["source"] == "mqtt"  # the command's own news
    relocked = await hass.wait_for(
        topic, lambda m: m.json()["method"] == "AUTO LOCK", after=mark, within_s=10
    )
    assert relocked.json()["source"] is None  # the lock did it, not Home Assistant
    await hass.wait_for(
        "ttlock-bridge/door/room-1/state", lambda m: m.json()["inferred"] is True, after=mark
    )


async def test_a_retained_command_acts_once_live_and_never_at_a_reconnect(
    start_bridge: StartBridge, mqtt_settings: MqttSettings, hass: FakeHass, mosquitto: Mosquitto
) -> None:
    bridge = await started(start_bridge, mqtt_settings, hass)
    mark = len(hass.seen)

    # delivered live (retain flag 0 to a subscriber that is already there): acted on, once
    await hass.publish("ttlock-bridge/door/room-1/set", "UNLOCK", retain=True)
    await until(lambda: open_state(bridge, ROOM_1) == 1)
    await hass.publish("ttlock-bridge/door/room-1/set", "LOCK")
    await until(lambda: open_state(bridge, ROOM_1) != 1)
    # the broker still holds the UNLOCK; take the bridge's session over: it reconnects
    before = len(hass.seen)
    async with aiomqtt.Client(
        "127.0.0.1",
        mosquitto.port,
        username=HASS_USER,
        password=HASS_PASSWORD,
        identifier=mqtt_settings.client_id,
    ):
        pass
    await hass.wait_for("ttlock-bridge/status", lambda m: m.payload == "online", after=before)
    await asyncio.sleep(1.5)  # the retained UNLOCK came with the subscription: ignored

    assert open_state(bridge, ROOM_1) != 1
    commanded = [
        m.json()
        for m in hass.seen[mark:]
        if m.topic == "ttlock-bridge/door/room-1/event" and m.json()["source"] == "mqtt"
    ]
    assert [event["method"] for event in commanded] == ["REMOTE UNLOCK", "REMOTE LOCK"]
