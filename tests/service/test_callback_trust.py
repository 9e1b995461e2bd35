"""The callback is public (DESIGN invariant 9): issue 19, items 5, 6 and 14, over HTTP.

A record must match its door by lockId and MAC, every field is range-checked on the way in,
a record's own date never puts it ahead of later news, a bad row already stored never breaks a
read, and records are deduplicated on what makes them the same record.
"""

from __future__ import annotations

import json
import sqlite3
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from conftest import RunningSimulator
from service.bridge import ROOM_1, RunningBridge, StartBridge
from service.test_callback import ROOM_1_MAC, callback_form, now_ms
from ttlock_bridge.locks.directory import FAILED_READ_MEMORY_MS

YEAR_2100_MS = 4_102_444_800_000
YEAR_10000_MS = 253_402_300_800_000
READS = ("/api/v1/locks", "/api/v1/locks/room-1", "/api/v1/locks/room-1/state", "/api/v1/events")


def wait_for(condition: Callable[[], bool], timeout_s: float = 10.0) -> None:
    deadline = time.monotonic() + timeout_s
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.05)


def events(bridge: RunningBridge) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = bridge.api.get("/api/v1/events?limit=500").json()["events"]
    return found


def state(bridge: RunningBridge) -> dict[str, Any]:
    answer: dict[str, Any] = bridge.api.get("/api/v1/locks/room-1/state").json()
    return answer


def database(bridge: RunningBridge) -> Path:
    return Path(bridge.runtime.config.store_url.removeprefix("sqlite:///"))


# --- item 5: records that cannot be matched to the door -----------------------------------


def without_record_field(form: dict[str, str], name: str) -> dict[str, str]:
    records = json.loads(form["records"])
    for record in records:
        del record[name]
    return {**form, "records": json.dumps(records)}


def test_a_record_without_a_mac_is_refused(bridge: RunningBridge) -> None:
    form = {
        **without_record_field(callback_form(recordType=11, recordTypeFromLock=26), "lockMac"),
        "lockMac": "",
    }

    response = bridge.anonymous.post("/ttlock/callback", data=form)

    assert response.status_code == 403
    assert "lockMac" in response.json()["detail"]
    assert events(bridge) == []
    assert state(bridge)["bolt"] is None


def test_a_malformed_or_conflicting_mac_is_refused(bridge: RunningBridge) -> None:
    malformed = callback_form(mac="not-a-mac")
    conflicting = callback_form(lockMac="22:22:22:22:22:22")  # the record's MAC wins

    answers = [bridge.anonymous.post("/ttlock/callback", data=f) for f in (malformed, conflicting)]

    assert [answer.status_code for answer in answers] == [403, 403]
    assert events(bridge) == []


def test_an_unknown_mac_is_learnt_from_the_cloud_before_a_record_is_taken(
    bridge: RunningBridge,
) -> None:
    # Nothing has asked the cloud yet: the bridge learns the MAC before it decides.
    wrong = bridge.anonymous.post("/ttlock/callback", data=callback_form(mac="22:22:22:22:22:22"))
    right = bridge.anonymous.post("/ttlock/callback", data=callback_form(mac=ROOM_1_MAC.lower()))

    assert wrong.status_code == 403
    assert right.text == "success"
    assert bridge.simulator.state()["calls"]["/v3/lock/list"] == 1


def test_when_the_cloud_cannot_confirm_the_mac_the_post_is_deferred_for_ttlock_to_retry(
    start_bridge: StartBridge,
) -> None:
    def cloud_down(cloud: RunningSimulator) -> None:  # neither the list nor a detail says
        for path in ("/v3/lock/list", "/v3/lock/detail"):
            cloud.control("faults", {"path": path, "errcode": 30007, "count": 1000})

    bridge = start_bridge(before_start=cloud_down)
    form = callback_form()

    deferred = bridge.anonymous.post("/ttlock/callback", data=form)
    bridge.simulator.control("faults/clear")
    retried = bridge.anonymous.post("/ttlock/callback", data=form)
    deadline = time.monotonic() + FAILED_READ_MEMORY_MS / 1000 + 5
    while retried.status_code == 503:  # TTLock posts again later
        assert time.monotonic() < deadline
        time.sleep(1)
        retried = bridge.anonymous.post("/ttlock/callback", data=form)

    assert deferred.status_code == 503
    assert deferred.json()["error"] == "callback_deferred"
    assert deferred.headers["Retry-After"].isdigit()
    assert retried.text == "success"
    assert len(events(bridge)) == 1


@pytest.mark.parametrize(
    "dates",
    [
        {"lockDate": YEAR_2100_MS, "serverDate": YEAR_2100_MS},
        {"lockDate": YEAR_2100_MS},
        {"lockDate": YEAR_2100_MS, "serverDate": None},
    ],
    ids=["both-2100", "lock-date-2100", "no-server-date"],
)
def test_a_forged_lock_dated_2100_does_not_pin_the_state_also_after_a_restart(
    start_bridge: StartBridge, dates: dict[str, Any]
) -> None:
    bridge = start_bridge()
    forged = callback_form(recordType=11, recordTypeFromLock=26, username="x", **dates)
    if dates.get("serverDate", 0) is None:
        forged = without_record_field(forged, "serverDate")
    assert bridge.anonymous.post("/ttlock/callback", data=forged).text == "success"
    assert state(bridge)["bolt"] == "locked"

    assert bridge.api.post("/api/v1/locks/room-1/unlock").status_code == 200
    assert state(bridge)["bolt"] == "unlocked"
    wait_for(lambda: len(events(bridge)) == 2)  # the simulator's callback of the real unlock
    assert (state(bridge)["bolt"], state(bridge)["bolt_inferred"]) == ("unlocked", False)

    restarted = start_bridge()  # the same database, a new process state
    assert state(restarted)["bolt"] == "unlocked"


# --- item 6: ranges on the way in, reads robust to what is stored --------------------------


def _nested(depth: int) -> str:
    return "[" * depth + "]" * depth


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("lockDate", YEAR_10000_MS),
        ("lockDate", 10**30),
        ("lockDate", -1),
        ("serverDate", 10**30),
        ("recordType", 10**30),
        ("recordTypeFromLock", -5),
        ("recordId", 10**30),
        ("recordId", 0),
        ("lockId", 10**30),
        ("success", 7),
        ("lockDate", "1" * 5000),
        ("lockDate", 1.7e12),
    ],
)
def test_a_field_out_of_range_is_refused_and_every_read_stays_200(
    bridge: RunningBridge, field: str, value: object
) -> None:
    form = callback_form()
    records = json.loads(form["records"])
    records[0][field] = value
    response = bridge.anonymous.post(
        "/ttlock/callback", data={**form, "records": json.dumps(records)}
    )

    assert response.status_code == 400
    assert response.json()["error"] == "unreadable_callback"
    assert field in response.json()["detail"]
    assert [bridge.api.get(path).status_code for path in READS] == [200] * len(READS)
    assert events(bridge) == []


@pytest.mark.parametrize(
    ("form_change", "refusal"),
    [
        ({"records": _nested(50_000)}, 413),  # over the 64 KiB body cap, refused unread
        ({"records": _nested(5_000)}, 400),
        ({"records": json.dumps([{"lockDate": 1}] * 101)}, 400),
        ({"records": "[" + " " * 70_000 + "]"}, 413),
        ({"lockId": str(10**30)}, 400),
    ],
    ids=[
        "nested-50000",
        "nested-5000",
        "101-records",
        "70k-characters",
        "form-lock-id-10^30",
    ],
)
def test_hostile_shapes_are_refused_and_every_read_stays_200(
    bridge: RunningBridge, form_change: dict[str, str], refusal: int
) -> None:
    response = bridge.anonymous.post("/ttlock/callback", data={**callback_form(), **form_change})

    assert response.status_code == refusal
    assert [bridge.api.get(path).status_code for path in READS] == [200] * len(READS)


def test_odd_but_harmless_values_are_taken_without_a_word_too_many(bridge: RunningBridge) -> None:
    form = callback_form(electricQuantity=10**30, keyboardPwd="9" * 500, username="u" * 5000)

    assert bridge.anonymous.post("/ttlock/callback", data=form).text == "success"
    [event] = events(bridge)
    assert len(event["masked_code"]) <= 16
    assert event["masked_code"].endswith("99")
    assert len(event["username"]) == 200
    assert state(bridge)["battery_source"] != "callback"  # 10**30 % is no battery reading


def test_bad_rows_already_stored_break_no_read_also_after_a_restart(
    start_bridge: StartBridge,
) -> None:
    bridge = start_bridge()
    with sqlite3.connect(database(bridge)) as db:
        for key, lock_date, server_date in (
            ("old:10000", YEAR_10000_MS, None),
            ("old:10000-both", YEAR_10000_MS, YEAR_10000_MS),
            ("old:1969", -86_400_000, -86_400_000),
            ("old:2100", YEAR_2100_MS, YEAR_2100_MS),
            ("old:10^30", 1e30, 1e30),  # SQLite keeps an integer that large as a float
        ):
            db.execute(
                "INSERT INTO events (lock_id, record_type, record_type_from_lock, success,"
                " username, masked_code, lock_date_ms, server_date_ms, source, dedupe_key)"
                " VALUES (?, 11, 26, 1, 'x', NULL, ?, ?, 'callback', ?)",
                (ROOM_1, lock_date, server_date, key),
            )

    restarted = start_bridge()

    for running in (bridge, restarted):
        assert [running.api.get(path).status_code for path in READS] == [200] * len(READS)
    assert restarted.api.post("/api/v1/locks/room-1/unlock").status_code == 200
    assert state(restarted)["bolt"] == "unlocked"  # the rows dated 2100 and 10000 do not win


# --- item 14: the same record, not the same second -----------------------------------------


def test_six_remote_unlocks_within_two_seconds_are_six_events(bridge: RunningBridge) -> None:
    for _ in range(6):
        assert bridge.api.post("/api/v1/locks/room-1/unlock").status_code == 200

    wait_for(lambda: len(events(bridge)) == 6)
    time.sleep(0.3)  # nothing more arrives
    found = events(bridge)
    assert [event["record_type"] for event in found] == [12] * 6  # remote unlock
    assert len({event["at"] for event in found}) < 6  # some share a second of the lock's clock


def test_records_without_record_id_are_told_apart_by_what_they_say(bridge: RunningBridge) -> None:
    second = now_ms() // 1000 * 1000
    forms = [
        callback_form(recordType=12, keyboardPwd="", username="app", lockDate=second,
                      serverDate=second + 5_000 + n)
        for n in range(6)
    ]  # fmt: skip

    for form in [*forms, forms[0], forms[3]]:  # the last two: TTLock repeating itself
        assert bridge.anonymous.post("/ttlock/callback", data=form).text == "success"

    assert len(events(bridge)) == 6
    assert 'ttlock_bridge_callbacks_total{outcome="duplicate"} 2' in bridge.api.get("/metrics").text


def test_a_record_id_makes_two_records_in_one_millisecond_two_events(
    bridge: RunningBridge,
) -> None:
    lock_date, server_date = now_ms() // 1000 * 1000, now_ms()
    first = callback_form(recordId=70_000_000_001, lockDate=lock_date, serverDate=server_date)
    second = callback_form(recordId=70_000_000_002, lockDate=lock_date, serverDate=server_date)

    for form in (first, second, first):
        assert bridge.anonymous.post("/ttlock/callback", data=form).text == "success"

    assert len(events(bridge)) == 2
