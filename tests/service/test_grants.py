"""Rooms and grants through the access core, checked on the simulated locks."""

from __future__ import annotations

from datetime import date, timedelta

from service.bridge import MAIN_ENTRANCE, ROOM_1, RunningBridge

TOMORROW = (date.today() + timedelta(days=1)).isoformat()
IN_THREE_DAYS = (date.today() + timedelta(days=3)).isoformat()


def stay(**changes: object) -> dict[str, object]:
    return {"room": "room-1", "start": TOMORROW, "end": IN_THREE_DAYS, "name": "Smith"} | changes


def test_a_room_grant_lands_on_the_room_and_the_shared_door(bridge: RunningBridge) -> None:
    response = bridge.api.post("/api/v1/grants", json=stay(code="583190"))

    assert response.status_code == 201
    grant = response.json()
    assert grant["code"] == "583190"
    assert grant["summary"] == "active"
    assert {(door["door"], door["status"]) for door in grant["doors"]} == {
        ("room-1", "active"),
        ("main-entrance", "active"),
    }
    assert grant["start"].endswith("15:00")
    for lock_id in (ROOM_1, MAIN_ENTRANCE):
        assert [p["keyboardPwd"] for p in bridge.passcodes_on(lock_id)] == ["583190"]


def test_lists_mask_the_code_and_show_reveals_it(bridge: RunningBridge) -> None:
    grant_id = bridge.api.post("/api/v1/grants", json=stay(code="583190")).json()["id"]

    listed = bridge.api.get("/api/v1/grants").json()
    shown = bridge.api.get(f"/api/v1/grants/{grant_id}").json()

    assert [(g["id"], g["code"]) for g in listed] == [(grant_id, "****90")]
    assert shown["code"] == "583190"


def test_modify_moves_the_code_on_every_door(bridge: RunningBridge) -> None:
    grant_id = bridge.api.post("/api/v1/grants", json=stay()).json()["id"]

    response = bridge.api.patch(f"/api/v1/grants/{grant_id}", json={"code": "694021"})

    assert response.status_code == 200
    assert response.json()["code"] == "694021"
    for lock_id in (ROOM_1, MAIN_ENTRANCE):
        assert [p["keyboardPwd"] for p in bridge.passcodes_on(lock_id)] == ["694021"]


def test_cancel_removes_the_code_from_every_door(bridge: RunningBridge) -> None:
    grant_id = bridge.api.post("/api/v1/grants", json=stay()).json()["id"]

    response = bridge.api.delete(f"/api/v1/grants/{grant_id}")

    assert response.status_code == 200
    assert response.json()["state"] == "cancelled"
    assert bridge.passcodes_on(ROOM_1) == bridge.passcodes_on(MAIN_ENTRANCE) == []
    assert bridge.api.get("/api/v1/grants").json() == []
    assert len(bridge.api.get("/api/v1/grants", params={"include_inactive": True}).json()) == 1


def test_rooms_show_their_doors_and_current_grant(bridge: RunningBridge) -> None:
    grant_id = bridge.api.post("/api/v1/grants", json=stay()).json()["id"]

    rooms = {room["name"]: room for room in bridge.api.get("/api/v1/rooms").json()}
    room_1 = bridge.api.get("/api/v1/rooms/room-1").json()

    assert len(rooms) == 6
    assert rooms["room-2"]["current_grant"] is None
    assert room_1["doors"] == ["room-1"]
    assert room_1["shared_doors"] == ["main-entrance"]
    assert room_1["current_grant"]["id"] == grant_id
    assert "*" in room_1["current_grant"]["code"]


def test_unknown_room_grant_and_passcode_targets_are_404(bridge: RunningBridge) -> None:
    assert bridge.api.get("/api/v1/rooms/room-99").json()["error"] == "unknown_room"
    assert bridge.api.get("/api/v1/grants/4242").json()["error"] == "unknown_grant"
    assert bridge.api.delete("/api/v1/grants/4242").status_code == 404


def test_bad_times_are_422_with_a_hint_in_property_time(bridge: RunningBridge) -> None:
    unreadable = bridge.api.post("/api/v1/grants", json=stay(start="next tuesday"))
    backwards = bridge.api.post("/api/v1/grants", json=stay(start=IN_THREE_DAYS, end=TOMORROW))
    past = bridge.api.post("/api/v1/grants", json=stay(start="2020-01-01", end="2020-01-03"))

    for response in (unreadable, backwards, past):
        assert response.status_code == 422
        assert response.json()["error"] == "invalid_input"
        assert "Europe/Berlin" in response.json()["hint"]


def test_an_unknown_room_in_a_request_is_422(bridge: RunningBridge) -> None:
    response = bridge.api.post("/api/v1/grants", json=stay(room="room-99"))

    assert response.status_code == 422
    assert "rooms" in response.json()["hint"]


def test_a_code_already_on_a_door_is_409(bridge: RunningBridge) -> None:
    bridge.api.post("/api/v1/grants", json=stay(code="583190"))

    response = bridge.api.post("/api/v1/grants", json=stay(room="room-2", code="583190"))

    assert response.status_code == 409
    assert "583190" not in response.text


def test_cleanup_dry_run_and_drift_report(bridge: RunningBridge) -> None:
    bridge.api.post("/api/v1/grants", json=stay())  # on the locks, and nothing has ended

    cleanup = bridge.api.post("/api/v1/cleanup", json={"dry_run": True})
    drift = bridge.api.get("/api/v1/drift")

    assert cleanup.status_code == 200
    assert cleanup.json() == {"dry_run": True, "items": []}
    assert drift.status_code == 200
    assert drift.json() == {"unknown_on_locks": [], "missing_from_locks": [], "clocks": []}


def test_drift_shows_a_passcode_added_behind_the_bridges_back(bridge: RunningBridge) -> None:
    bridge.api.post(
        "/api/v1/locks/room-4/passcodes", json={"code": "583190", "name": "Set by hand"}
    )

    drift = bridge.api.get("/api/v1/drift").json()

    assert [
        (item["door"], item["masked_code"], item["ours"]) for item in drift["unknown_on_locks"]
    ] == [("room-4", "****90", False)]


def test_a_new_code_is_drawn_and_placed_on_every_door(bridge: RunningBridge) -> None:
    created = bridge.api.post("/api/v1/grants", json=stay(code="583190")).json()

    response = bridge.api.post(f"/api/v1/grants/{created['id']}/new-code")

    assert response.status_code == 200
    fresh = response.json()
    assert fresh["id"] == created["id"]
    assert fresh["code"] not in ("583190", created["code"])
    assert fresh["summary"] == "active"
    for lock_id in (ROOM_1, MAIN_ENTRANCE):
        assert [p["keyboardPwd"] for p in bridge.passcodes_on(lock_id)] == [fresh["code"]]


def test_a_new_code_for_a_cancelled_grant_is_409_and_for_none_404(bridge: RunningBridge) -> None:
    grant_id = bridge.api.post("/api/v1/grants", json=stay()).json()["id"]
    bridge.api.delete(f"/api/v1/grants/{grant_id}")

    assert bridge.api.post(f"/api/v1/grants/{grant_id}/new-code").status_code == 409
    assert bridge.api.post("/api/v1/grants/999/new-code").status_code == 404


def test_issuing_by_room_changes_an_overlapping_stay_and_adds_the_next_one(
    bridge: RunningBridge,
) -> None:
    first = bridge.api.post(
        "/api/v1/rooms/room-1/stays", json={"start": TOMORROW, "end": IN_THREE_DAYS}
    )
    assert first.status_code == 201
    assert first.json()["outcome"] == "new"
    grant_id = first.json()["grant"]["id"]
    in_five_days = (date.today() + timedelta(days=5)).isoformat()

    changed = bridge.api.post(
        "/api/v1/rooms/room-1/stays", json={"start": TOMORROW, "end": in_five_days}
    )
    following = bridge.api.post(
        "/api/v1/rooms/room-1/stays",
        json={"start": in_five_days, "end": (date.today() + timedelta(days=7)).isoformat()},
    )

    assert changed.status_code == 200
    assert (changed.json()["outcome"], changed.json()["grant"]["id"]) == ("changed", grant_id)
    assert following.status_code == 201
    assert following.json()["outcome"] == "next_stay"
    assert following.json()["grant"]["id"] != grant_id
    assert (
        bridge.api.post(
            "/api/v1/rooms/nowhere/stays", json={"start": TOMORROW, "end": in_five_days}
        ).status_code
        == 404
    )


def test_a_patch_that_changes_nothing_leaves_every_door_active(bridge: RunningBridge) -> None:
    grant_id = bridge.api.post("/api/v1/grants", json=stay(code="583190")).json()["id"]
    calls_before = bridge.simulator.state()["calls"]

    answers = [
        bridge.api.patch(f"/api/v1/grants/{grant_id}", json=body)
        for body in ({}, {"name": "Smith"}, {"code": "583190"}, {"end": IN_THREE_DAYS})
    ]

    for answer in answers:
        assert answer.status_code == 200
        assert {door["status"] for door in answer.json()["doors"]} == {"active"}
    assert "ttlock_bridge_reconciler_queue 0.0" in bridge.api.get("/metrics").text
    calls_after = bridge.simulator.state()["calls"]
    assert calls_after.get("/v3/keyboardPwd/change") == calls_before.get("/v3/keyboardPwd/change")


def test_a_retried_create_with_its_idempotency_key_answers_the_first_grant(
    bridge: RunningBridge,
) -> None:
    key = {"Idempotency-Key": "9b2f6c1e-4e0a-4d55-a1f3-0c5e2b7d8a61"}

    first = bridge.api.post("/api/v1/grants", json=stay(), headers=key)
    calls = bridge.simulator.state()["calls"]
    again = bridge.api.post("/api/v1/grants", json=stay(), headers=key)
    other = bridge.api.post("/api/v1/grants", json=stay(name="Jones"), headers=key)

    assert first.status_code == again.status_code == 201
    assert again.json()["id"] == first.json()["id"]
    assert again.json()["code"] == first.json()["code"]
    assert bridge.simulator.state()["calls"] == calls  # a repeat costs no TTLock call
    assert other.status_code == 422
    assert "Idempotency-Key" in other.json()["detail"]
    assert len(bridge.api.get("/api/v1/grants").json()) == 1
    assert len(bridge.passcodes_on(ROOM_1)) == 1


def test_an_unusable_idempotency_key_is_422(bridge: RunningBridge) -> None:
    for key in ("", "x" * 201, "with space"):
        response = bridge.api.post("/api/v1/grants", json=stay(), headers={"Idempotency-Key": key})
        assert response.status_code == 422, key
    assert bridge.api.get("/api/v1/grants").json() == []
