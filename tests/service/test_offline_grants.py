"""Offline codes over the REST API (docs/grants.md "Two kinds of code"): a room whose door has
no gateway gets its own code for whole hours, the entrance the grant's code; the grant shows
both, masked in lists; a cancel answers the offline door `expiring` with what to do; a typed
code for offline doors only, and moving an offline code's dates, are 422 with a hint."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

from access.conftest import door_modes
from service.bridge import MAIN_ENTRANCE, ROOM_1, RunningBridge, StartBridge

TOMORROW = (date.today() + timedelta(days=1)).isoformat()
IN_THREE_DAYS = (date.today() + timedelta(days=3)).isoformat()


def stay(**changes: object) -> dict[str, object]:
    """Room 1 from tomorrow 15:20 to 10:40 in three days: no whole hours."""
    times = {"start": f"{TOMORROW}T15:20", "end": f"{IN_THREE_DAYS}T10:40"}
    return {"room": "room-1", "name": "Smith"} | times | changes


def doors(grant: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {door["door"]: door for door in grant["doors"]}


def room_without_gateway(start_bridge: StartBridge) -> RunningBridge:
    """The demo hotel, room-1's lock unpaired from its gateway (its door is `auto`)."""
    bridge = start_bridge()
    bridge.simulator.control(f"locks/{ROOM_1}", {"gateway": None})
    return bridge


def test_a_room_door_without_gateway_gets_its_own_code_for_whole_hours(
    start_bridge: StartBridge,
) -> None:
    bridge = room_without_gateway(start_bridge)
    created = bridge.api.post("/api/v1/grants", json=stay(code="583190"))
    assert created.status_code == 201, created.text

    grant = bridge.api.get(f"/api/v1/grants/{created.json()['id']}").json()

    room, entrance = doors(grant)["room-1"], doors(grant)["main-entrance"]
    assert (room["kind"], room["status"], room["offline_reason"]) == (
        "offline",
        "active",
        "the lock has no gateway",
    )
    assert (entrance["kind"], entrance["code"], entrance["offline_reason"]) == (
        "online",
        "583190",
        None,
    )
    assert grant["codes_differ"] is True
    assert grant["codes"] == {"room-1": room["code"], "main-entrance": "583190"}
    assert grant["code"] == room["code"] != "583190"  # the room's own door's code
    assert [p["keyboardPwd"] for p in bridge.passcodes_on(MAIN_ENTRANCE)] == ["583190"]
    # the offline code's whole hours around the stay, and its first-use deadline a day on
    assert room["valid_from"].startswith(f"{TOMORROW}T15:00:00")
    assert room["valid_until"].startswith(f"{IN_THREE_DAYS}T11:00:00")
    assert entrance["valid_from"].startswith(f"{TOMORROW}T15:20:00")
    assert entrance["valid_until"].startswith(f"{IN_THREE_DAYS}T10:40:00")
    use_by = datetime.fromisoformat(room["use_by"])
    assert use_by - datetime.fromisoformat(room["valid_from"]) == timedelta(hours=24)
    assert entrance["use_by"] is None


def test_lists_mask_every_door_code_and_cancel_says_the_offline_one_stays_valid(
    start_bridge: StartBridge,
) -> None:
    bridge = room_without_gateway(start_bridge)
    grant_id = bridge.api.post("/api/v1/grants", json=stay(code="583190")).json()["id"]
    full = bridge.api.get(f"/api/v1/grants/{grant_id}").json()

    [listed] = bridge.api.get("/api/v1/grants").json()
    room_view = bridge.api.get("/api/v1/rooms/room-1").json()["current_grant"]
    for masked in (listed, room_view):
        assert masked["codes"] == {
            "room-1": "*" * (len(full["code"]) - 2) + full["code"][-2:],
            "main-entrance": "****90",
        }
        assert {door["door"]: door["code"] for door in masked["doors"]} == masked["codes"]
        assert masked["code"] == masked["codes"]["room-1"]
        assert masked["codes_differ"] is True

    cancelled = bridge.api.delete(f"/api/v1/grants/{grant_id}")

    assert cancelled.status_code == 200
    room, entrance = doors(cancelled.json())["room-1"], doors(cancelled.json())["main-entrance"]
    assert (room["status"], entrance["status"]) == ("expiring", "removed")
    assert cancelled.json()["summary"] == "expiring"
    assert "expires by itself at" in room["guidance"]
    assert "TTLock app" in room["guidance"]
    assert full["code"] not in cancelled.text
    assert bridge.passcodes_on(MAIN_ENTRANCE) == []


def test_a_typed_code_for_offline_doors_and_moving_their_dates_are_422_with_a_hint(
    start_bridge: StartBridge,
) -> None:
    bridge = start_bridge(config_change=door_modes("offline", "room-1", "main-entrance"))

    typed = bridge.api.post("/api/v1/grants", json=stay(code="583190"))
    assert typed.status_code == 422
    assert typed.json()["error"] == "invalid_input"
    assert "leave the code out" in typed.json()["detail"]
    assert "leave `code` out" in typed.json()["hint"]

    grant = bridge.api.post("/api/v1/grants", json=stay()).json()
    assert grant["codes_differ"] is True
    assert {door["kind"] for door in grant["doors"]} == {"offline"}
    moved = bridge.api.patch(f"/api/v1/grants/{grant['id']}", json={"end": IN_THREE_DAYS})

    assert moved.status_code == 422
    assert "cannot move" in moved.json()["detail"]
    assert "DELETE the grant" in moved.json()["hint"]


def test_an_online_grant_has_one_code_for_every_door(bridge: RunningBridge) -> None:
    grant = bridge.api.post("/api/v1/grants", json=stay(code="583190")).json()

    assert grant["codes"] == {"room-1": "583190", "main-entrance": "583190"}
    assert grant["codes_differ"] is False
    assert {(door["kind"], door["use_by"]) for door in grant["doors"]} == {("online", None)}


def test_an_offline_day_pass_must_be_used_before_its_end_not_a_day_after_its_start(
    start_bridge: StartBridge,
) -> None:
    bridge = start_bridge(config_change=door_modes("offline", "main-entrance"))
    day_pass = {
        "doors": ["main-entrance"],
        "start": f"{TOMORROW}T08:00",
        "end": f"{TOMORROW}T20:00",
    }

    [door] = bridge.api.post("/api/v1/grants", json=day_pass).json()["doors"]

    assert door["kind"] == "offline"
    assert door["use_by"] == door["valid_until"]
    assert door["valid_until"].startswith(f"{TOMORROW}T20:00")
