"""The TTLock callback: form POST in, `success` out; deduplicated, only for our locks."""

from __future__ import annotations

import json
import time
from typing import Any
from urllib.parse import urlencode

from service.bridge import CALLBACK_SECRET, ROOM_1, RunningBridge, StartBridge

ROOM_1_MAC = "ED:AE:90:63:11:02"


def now_ms() -> int:
    return time.time_ns() // 1_000_000


def callback_form(lock_id: int = ROOM_1, mac: str = ROOM_1_MAC, **record: Any) -> dict[str, str]:
    """A form as TTLock sends it (reference §16): a passcode unlock by default."""
    fields = {
        "lockId": lock_id,
        "lockMac": mac,
        "electricQuantity": 64,
        "serverDate": now_ms(),
        "lockDate": now_ms() // 1000 * 1000,
        "recordTypeFromLock": 4,
        "recordType": 4,
        "success": 1,
        "keyboardPwd": "583190",
        "username": "Guest R1",
        **record,
    }
    return {
        "notifyType": "1",
        "lockId": str(lock_id),
        "lockMac": mac,
        "admin": "demo@example.com",
        "records": json.dumps([fields]),
    }


def test_a_record_becomes_an_event_state_and_battery(bridge: RunningBridge) -> None:
    response = bridge.anonymous.post("/ttlock/callback", data=callback_form())

    assert response.status_code == 200
    assert response.text == "success"
    events = bridge.api.get("/api/v1/events").json()["events"]
    assert len(events) == 1
    assert events[0]["door"] == "room-1"
    assert events[0]["masked_code"] == "****90"
    assert events[0]["text"] == "passcode ****90 (Guest R1)"
    assert events[0]["source"] == "callback"
    state = bridge.api.get("/api/v1/locks/room-1/state").json()
    assert (state["bolt"], state["bolt_source"]) == ("unlocked", "callback")
    assert (state["battery"], state["battery_source"]) == (64, "callback")


def test_an_unlock_older_than_the_auto_lock_time_reads_as_inferred_locked(
    bridge: RunningBridge,
) -> None:
    a_minute_ago = now_ms() // 1000 * 1000 - 60_000  # the demo locks relock after 5 s

    bridge.anonymous.post("/ttlock/callback", data=callback_form(lockDate=a_minute_ago))

    state = bridge.api.get("/api/v1/locks/room-1/state").json()
    assert (state["bolt"], state["bolt_source"], state["bolt_inferred"]) == (
        "locked",
        "auto-lock",
        True,
    )


def test_the_full_passcode_is_stored_nowhere_visible(bridge: RunningBridge) -> None:
    bridge.anonymous.post("/ttlock/callback", data=callback_form())

    assert "583190" not in bridge.api.get("/api/v1/events").text
    assert "583190" not in bridge.api.get("/metrics").text


def test_a_repeated_record_is_stored_once(bridge: RunningBridge) -> None:
    form = callback_form()  # TTLock repeats a post as it was: the same serverDate
    for _ in range(3):
        assert bridge.anonymous.post("/ttlock/callback", data=form).text == "success"

    assert len(bridge.api.get("/api/v1/events").json()["events"]) == 1
    metrics = bridge.api.get("/metrics").text
    assert 'ttlock_bridge_callbacks_total{outcome="duplicate"} 2' in metrics
    assert 'ttlock_bridge_callbacks_total{outcome="stored"} 1' in metrics


def test_the_ttlock_console_test_post_is_answered_success_and_ignored(
    bridge: RunningBridge,
) -> None:
    # The console's test button posts form lockId 222 with a record of lock 232332 (§16).
    form = callback_form(lock_id=232332, mac="22:22:22:22:22:22") | {"lockId": "222"}
    lock_lists = bridge.simulator.state()["calls"].get("/v3/lock/list", 0)

    response = bridge.anonymous.post("/ttlock/callback", data=form)

    assert response.status_code == 200
    assert response.text == "success"
    assert bridge.api.get("/api/v1/events").json()["events"] == []
    metrics = bridge.api.get("/metrics").text
    assert 'ttlock_bridge_callbacks_total{outcome="ignored_unknown_lock"} 1.0' in metrics
    assert bridge.simulator.state()["calls"].get("/v3/lock/list", 0) == lock_lists
    cloud = next(c for c in bridge.api.get("/readyz").json()["checks"] if c["name"] == "cloud")
    assert "last console test (a lock that is no door): 0 s ago" in cloud["detail"]
    assert "last callback: none yet" in cloud["detail"]


def test_a_post_without_notify_type_is_taken_when_its_records_read(
    bridge: RunningBridge,
) -> None:
    form = callback_form()
    del form["notifyType"]

    assert bridge.anonymous.post("/ttlock/callback", data=form).text == "success"

    assert len(bridge.api.get("/api/v1/events").json()["events"]) == 1


def test_every_records_field_of_a_post_counts(bridge: RunningBridge) -> None:
    first = callback_form(keyboardPwd="583190")
    second = callback_form(keyboardPwd="694021", serverDate=now_ms() + 1)
    body = urlencode([*first.items(), ("records", second["records"])])
    form_type = {"Content-Type": "application/x-www-form-urlencoded"}

    response = bridge.anonymous.post("/ttlock/callback", content=body, headers=form_type)

    assert response.text == "success"

    codes = {e["masked_code"] for e in bridge.api.get("/api/v1/events").json()["events"]}
    assert codes == {"****90", "****21"}


def test_a_wrong_mac_is_refused_once_the_mac_is_known(bridge: RunningBridge) -> None:
    bridge.api.get("/api/v1/locks")  # the lock list tells the bridge every lock's MAC

    response = bridge.anonymous.post(
        "/ttlock/callback", data=callback_form(mac="22:22:22:22:22:22")
    )

    assert response.status_code == 403
    assert "MAC" in response.json()["detail"]


def test_garbage_is_400_never_500(bridge: RunningBridge) -> None:
    bodies: list[dict[str, Any]] = [
        {"content": b"\x00\xff not a form", "headers": {"content-type": "application/json"}},
        {"data": {"hello": "world"}},
        {"data": {**callback_form(), "records": "[{"}},
        {"data": {**callback_form(), "records": '{"lockId": 1}'}},
        {"data": {**callback_form(), "lockId": "abc", "records": "[{}]"}},
        {"content": b"--x\r\nbroken", "headers": {"content-type": "multipart/form-data"}},
    ]

    answers = [bridge.anonymous.post("/ttlock/callback", **body) for body in bodies]

    assert [answer.status_code for answer in answers] == [400] * len(bodies)
    assert [answer.json()["error"] for answer in answers] == ["unreadable_callback"] * len(bodies)


def test_door_sensor_notifications_are_acknowledged_and_ignored(bridge: RunningBridge) -> None:
    form = {"notifyType": "7", "doorSensorId": "1", "recordType": "1"}

    assert bridge.anonymous.post("/ttlock/callback", data=form).text == "success"
    assert bridge.api.get("/api/v1/events").json()["events"] == []


def test_behind_a_secret_path_only_the_secret_url_works(start_bridge: StartBridge) -> None:
    bridge = start_bridge(callback_secret=CALLBACK_SECRET)

    plain = bridge.anonymous.post("/ttlock/callback", data=callback_form())
    secret = bridge.anonymous.post(f"/ttlock/callback/{CALLBACK_SECRET}", data=callback_form())

    assert plain.status_code == 404
    assert secret.text == "success"
    assert CALLBACK_SECRET not in bridge.anonymous.get("/openapi.json").text


def test_control_and_bidi_characters_of_a_callback_name_reach_no_channel(
    bridge: RunningBridge,
) -> None:
    form = callback_form(username="A\u202eB\nC\u001b[31m")

    assert bridge.anonymous.post("/ttlock/callback", data=form).text == "success"

    [event] = bridge.api.get("/api/v1/events").json()["events"]
    assert event["username"] == "ABC[31m"
