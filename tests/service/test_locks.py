"""Doors over HTTP: listing, detail, state, remote commands, passage mode, passcodes."""

from __future__ import annotations

from service.bridge import MAIN_ENTRANCE, ROOM_1, RunningBridge


def test_lists_every_configured_door_with_cloud_facts(bridge: RunningBridge) -> None:
    response = bridge.api.get("/api/v1/locks")

    assert response.status_code == 200
    locks = {lock["door"]: lock for lock in response.json()}
    assert set(locks) == {"main-entrance", *(f"room-{n}" for n in range(1, 7))}
    assert locks["main-entrance"]["lock_id"] == MAIN_ENTRANCE
    assert locks["main-entrance"]["alias"] == "Main entrance"
    assert locks["main-entrance"]["battery"] == 87
    assert locks["room-1"]["has_gateway"] is True
    assert locks["room-1"]["state"]["bolt"] is None


def test_detail_by_name_and_by_lock_id_agree(bridge: RunningBridge) -> None:
    by_name = bridge.api.get("/api/v1/locks/room-1")
    by_id = bridge.api.get(f"/api/v1/locks/{ROOM_1}")

    assert by_name.status_code == by_id.status_code == 200
    assert by_name.json() == by_id.json()
    detail = by_name.json()
    assert detail["door"] == "room-1"
    assert detail["mac"] == "ED:AE:90:63:11:02"
    assert detail["auto_lock_seconds"] == 5
    assert detail["gateways"][0]["gateway_id"] == 500_001
    assert detail["gateways"][0]["online"] is True


def test_unknown_door_is_404_with_a_hint(bridge: RunningBridge) -> None:
    response = bridge.api.get("/api/v1/locks/room-99")

    assert response.status_code == 404
    body = response.json()
    assert body["error"] == "unknown_door"
    assert "room-99" in body["detail"]
    assert body["hint"]


def test_unlock_opens_the_simulated_lock_and_records_the_state(bridge: RunningBridge) -> None:
    response = bridge.api.post("/api/v1/locks/room-1/unlock")

    assert response.status_code == 200
    assert response.json() == {"door": "room-1", "lock_id": ROOM_1, "done": "unlocked"}
    simulated = next(lock for lock in bridge.simulator.state()["locks"] if lock["lockId"] == ROOM_1)
    assert simulated["openState"] == 1
    state = bridge.api.get("/api/v1/locks/room-1/state").json()
    assert state["bolt"] == "unlocked"
    assert state["bolt_source"] in ("command", "callback")


def test_lock_command_locks(bridge: RunningBridge) -> None:
    bridge.api.post("/api/v1/locks/room-2/unlock")

    response = bridge.api.post("/api/v1/locks/room-2/lock")

    assert response.status_code == 200
    assert response.json()["done"] == "locked"
    assert bridge.api.get("/api/v1/locks/room-2/state").json()["bolt"] == "locked"


def test_unlock_is_post_only(bridge: RunningBridge) -> None:
    assert bridge.api.get("/api/v1/locks/room-1/unlock").status_code == 405


def test_gateway_offline_is_502_with_errcode_and_guidance(bridge: RunningBridge) -> None:
    bridge.simulator.control("gateways/500001", {"online": False})

    response = bridge.api.post("/api/v1/locks/room-1/unlock")

    assert response.status_code == 502
    body = response.json()
    assert body["errcode"] == -3002
    assert "gateway is offline" in body["hint"]


def test_quota_exhausted_is_503(bridge: RunningBridge) -> None:
    bridge.simulator.control("faults", {"path": "/v3/lock/unlock", "errcode": 30007})

    response = bridge.api.post("/api/v1/locks/room-1/unlock")

    assert response.status_code == 503
    assert response.json()["errcode"] == 30007


def test_passage_mode_round_trip(bridge: RunningBridge) -> None:
    change = {"enabled": True, "week_days": [1, 2, 3], "start": "08:00", "end": "18:30"}

    assert (
        bridge.api.put("/api/v1/locks/main-entrance/passage-mode", json=change).status_code == 200
    )
    shown = bridge.api.get("/api/v1/locks/main-entrance/passage-mode").json()

    assert shown["enabled"] is True
    assert shown["week_days"] == [1, 2, 3]
    assert (shown["start"], shown["end"]) == ("08:00", "18:30")


def test_passage_mode_rejects_bad_clock_times(bridge: RunningBridge) -> None:
    change = {"enabled": True, "start": "25:00", "end": "18:00"}

    response = bridge.api.put("/api/v1/locks/main-entrance/passage-mode", json=change)

    assert response.status_code == 422
    assert response.json()["error"] == "invalid_request"


def test_passcodes_add_list_change_delete(bridge: RunningBridge) -> None:
    added = bridge.api.post(
        "/api/v1/locks/room-3/passcodes",
        json={"code": "583190", "name": "Cleaner", "start": "2030-01-01", "end": "2030-01-05"},
    )
    assert added.status_code == 201
    passcode_id = added.json()["passcode_id"]
    assert [p["keyboardPwd"] for p in bridge.passcodes_on(1_000_004)] == ["583190"]

    listed = bridge.api.get("/api/v1/locks/room-3/passcodes").json()
    assert [(p["passcode_id"], p["name"], p["masked_code"]) for p in listed] == [
        (passcode_id, "Cleaner", "****90")
    ]
    assert "583190" not in bridge.api.get("/api/v1/locks/room-3/passcodes").text

    changed = bridge.api.patch(
        f"/api/v1/locks/room-3/passcodes/{passcode_id}", json={"code": "694021"}
    )
    assert changed.status_code == 200
    assert [p["keyboardPwd"] for p in bridge.passcodes_on(1_000_004)] == ["694021"]

    deleted = bridge.api.delete(f"/api/v1/locks/room-3/passcodes/{passcode_id}")
    assert deleted.status_code == 204
    assert bridge.passcodes_on(1_000_004) == []


def test_a_trivial_passcode_is_refused_before_any_cloud_call(bridge: RunningBridge) -> None:
    calls_before = bridge.simulator.state()["calls"].get("/v3/keyboardPwd/add", 0)

    response = bridge.api.post("/api/v1/locks/room-3/passcodes", json={"code": "1234", "name": "x"})

    assert response.status_code == 422
    assert response.json()["error"] == "invalid_input"
    assert "1234" not in response.text
    assert bridge.simulator.state()["calls"].get("/v3/keyboardPwd/add", 0) == calls_before


def test_a_passcode_needs_both_ends_of_its_window(bridge: RunningBridge) -> None:
    response = bridge.api.post(
        "/api/v1/locks/room-3/passcodes",
        json={"code": "583190", "name": "x", "start": "2030-01-01"},
    )

    assert response.status_code == 422
    assert "start and end" in response.json()["detail"]
