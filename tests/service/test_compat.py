"""The Docker bridge's routes for existing Home Assistant configurations."""

from __future__ import annotations

from service.bridge import MAIN_ENTRANCE, ROOM_1, RunningBridge, StartBridge

DOCKER_BRIDGE_ATTRIBUTES = {
    "autoLockTime",
    "electricQuantity",
    "firmwareRevision",
    "hardwareRevision",
    "lockAlias",
    "modelNum",
    "passageMode",
    "passageModeAutoUnlock",
    "soundVolume",
    "tamperAlert",
}


def test_get_lock_id_returns_the_attributes_home_assistant_reads(bridge: RunningBridge) -> None:
    response = bridge.api.get(f"/{MAIN_ENTRANCE}")

    assert response.status_code == 200
    detail = response.json()
    assert set(detail) >= DOCKER_BRIDGE_ATTRIBUTES
    assert detail["lockAlias"] == "Main entrance"
    assert detail["electricQuantity"] == 87
    assert detail["autoLockTime"] == 5
    assert detail["passageMode"] in (1, 2)


def test_post_unlock_opens_the_door(bridge: RunningBridge) -> None:
    response = bridge.api.post(f"/{ROOM_1}/unlock")

    assert response.status_code == 200
    assert response.json()["errcode"] == 0
    assert bridge.simulator.state()["calls"]["/v3/lock/unlock"] == 1


def test_get_unlock_is_refused_by_default(bridge: RunningBridge) -> None:
    response = bridge.api.get(f"/{ROOM_1}/unlock")

    assert response.status_code == 405
    assert bridge.simulator.state()["calls"].get("/v3/lock/unlock", 0) == 0


def test_get_unlock_works_when_the_configuration_enables_it(start_bridge: StartBridge) -> None:
    bridge = start_bridge(compat_get_unlock=True)

    response = bridge.api.get(f"/{ROOM_1}/unlock")

    assert response.status_code == 200
    assert bridge.simulator.state()["calls"]["/v3/lock/unlock"] == 1


def test_a_lock_that_is_no_configured_door_is_404(bridge: RunningBridge) -> None:
    assert bridge.api.get("/4242").status_code == 404
    assert bridge.api.post("/4242/unlock").status_code == 404
