"""The whole path: a grant by REST, the code on both simulated locks, a guest typing it, the
simulator's callback, and the event and the state visible through the API."""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import date, timedelta
from typing import Any

from service.bridge import MAIN_ENTRANCE, ROOM_1, RunningBridge, StartBridge
from ttlock_bridge.simulator import Scenario

WAIT_S = 15.0


def eventually(probe: Callable[[], Any], timeout_s: float = WAIT_S) -> Any:
    """The probe's first truthy answer; generous timeout, fine-grained polling."""
    deadline = time.monotonic() + timeout_s
    while True:
        answer = probe()
        if answer or time.monotonic() > deadline:
            return answer
        time.sleep(0.05)


def quick_auto_lock(scenario: Scenario) -> Scenario:
    locks = [lock.model_copy(update={"auto_lock_seconds": 3}) for lock in scenario.locks]
    return scenario.model_copy(update={"locks": locks})


def test_guest_code_opens_both_doors_and_the_api_sees_it(start_bridge: StartBridge) -> None:
    bridge = start_bridge(quick_auto_lock)
    today = date.today()
    grant = bridge.api.post(
        "/api/v1/grants",
        json={
            "room": "room-1",
            "start": (today - timedelta(days=1)).isoformat(),
            "end": (today + timedelta(days=2)).isoformat(),
            "name": "Smith",
        },
    ).json()
    code = grant["code"]
    for lock_id in (ROOM_1, MAIN_ENTRANCE):
        assert [p["keyboardPwd"] for p in bridge.passcodes_on(lock_id)] == [code]

    typed = bridge.simulator.control(f"locks/{MAIN_ENTRANCE}/keypad", {"code": code})
    assert typed["opened"] is True

    events = eventually(lambda: events_of(bridge, "main-entrance"))
    assert len(events) == 1
    assert events[0]["record_type"] == 4
    assert events[0]["success"] is True
    assert events[0]["masked_code"] == "****" + code[-2:]
    assert code not in bridge.api.get("/api/v1/events").text
    state = bridge.api.get("/api/v1/locks/main-entrance/state").json()
    assert (state["bolt"], state["bolt_source"]) == ("unlocked", "callback")
    assert state["battery"] == 87

    inferred = eventually(
        lambda: bridge.api.get("/api/v1/locks/main-entrance/state").json()["bolt_inferred"]
    )
    assert inferred is True
    assert bridge.api.get("/api/v1/locks/main-entrance/state").json()["bolt"] == "locked"


def test_a_wrong_code_is_an_event_but_opens_nothing(bridge: RunningBridge) -> None:
    log_in(bridge)
    bridge.simulator.control(f"locks/{ROOM_1}/keypad", {"code": "583190"})

    events = eventually(lambda: events_of(bridge, "room-1"))

    assert [(e["success"], e["masked_code"]) for e in events] == [(False, "****90")]
    assert bridge.api.get("/api/v1/locks/room-1/state").json()["bolt"] is None


def test_events_page_newest_arrival_first(bridge: RunningBridge) -> None:
    log_in(bridge)
    for code in ("583190", "694021", "705132"):
        bridge.simulator.control(f"locks/{ROOM_1}/keypad", {"code": code})
    eventually(lambda: len(events_of(bridge, "room-1")) == 3)

    first = bridge.api.get("/api/v1/events", params={"limit": 2}).json()
    second = bridge.api.get(
        "/api/v1/events", params={"limit": 2, "before": first["next_before"]}
    ).json()

    both = first["events"] + second["events"]
    ids = [event["id"] for event in both]
    assert ids == sorted(ids, reverse=True)  # newest arrival first, no overlap between pages
    assert sorted(event["masked_code"] for event in both) == ["****21", "****32", "****90"]
    assert second["next_before"] is None


def log_in(bridge: RunningBridge) -> None:
    """TTLock sends callbacks for an admin only once they hold a token of this application."""
    assert bridge.api.get("/api/v1/locks").status_code == 200


def events_of(bridge: RunningBridge, door: str) -> list[dict[str, Any]]:
    page = bridge.api.get("/api/v1/events", params={"lock": door}).json()
    events: list[dict[str, Any]] = page["events"]
    return events
