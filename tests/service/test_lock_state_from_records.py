"""Lock state from records (issue 18, item 4), over HTTP on the bridge and the simulator.

Every record type TTLock documents moves the bolt as it says (face, palm vein, QR code ...),
an unknown type reads as `unknown`, passage mode stops the auto-lock inference, and news is
ordered by when it arrived, with a lock clock that is off reported rather than believed.
"""

from __future__ import annotations

import logging
import time
from typing import Any

import pytest

from service.bridge import RunningBridge, StartBridge
from service.test_callback import callback_form, now_ms
from ttlock_bridge.cloud import PassageModeConfig
from ttlock_bridge.locks.directory import passage_mode_active
from ttlock_bridge.simulator import Scenario

HOUR_MS = 3_600_000


def state(bridge: RunningBridge) -> dict[str, Any]:
    answer: dict[str, Any] = bridge.api.get("/api/v1/locks/room-1/state").json()
    return answer


def post(bridge: RunningBridge, **record: Any) -> None:
    response = bridge.anonymous.post("/ttlock/callback", data=callback_form(**record))
    assert response.text == "success", response.text


# --- record types ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("record_type", "bolt", "text"),
    [
        (67, "unlocked", "face"),
        (84, "unlocked", "palm vein"),
        (57, "unlocked", "QR code"),
        (92, "unlocked", "admin passcode"),
        (75, "unlocked", "button (app authorised)"),
        (69, "locked", "face lock"),
        (86, "locked", "palm vein lock"),
        (61, "locked", "QR code lock"),
        (250, "unknown", "record type 250"),
    ],
)
def test_each_documented_record_type_moves_the_bolt_as_it_says(
    bridge: RunningBridge, record_type: int, bolt: str, text: str
) -> None:
    post(
        bridge, recordType=record_type, recordTypeFromLock=record_type, keyboardPwd="", username=""
    )

    assert state(bridge)["bolt"] == bolt
    assert bridge.api.get("/api/v1/events").json()["events"][0]["text"] == text


@pytest.mark.parametrize("record_type", [77, 30, 44, 68, 93])
def test_records_that_say_nothing_about_the_bolt_leave_it_as_it_was(
    bridge: RunningBridge, record_type: int
) -> None:
    post(bridge, recordType=69, recordTypeFromLock=69)  # face lock: locked
    post(bridge, recordType=record_type, recordTypeFromLock=record_type)

    assert state(bridge)["bolt"] == "locked"


def test_a_refused_face_unlock_does_not_unlock(bridge: RunningBridge) -> None:
    post(bridge, recordType=67, recordTypeFromLock=67, success=0)

    assert state(bridge)["bolt"] is None


# --- passage mode ---------------------------------------------------------------------------


def set_passage_mode(bridge: RunningBridge, **change: Any) -> None:
    body = {"enabled": True, "week_days": [1, 2, 3, 4, 5, 6, 7], **change}
    assert bridge.api.put("/api/v1/locks/room-1/passage-mode", json=body).status_code == 200


def test_no_inferred_relock_while_passage_mode_holds_the_lock_open(bridge: RunningBridge) -> None:
    bridge.api.get("/api/v1/locks/room-1")  # the detail is cached before passage mode changes
    set_passage_mode(bridge)
    a_minute_ago = now_ms() // 1000 * 1000 - 60_000  # the demo locks relock after 5 s

    post(bridge, lockDate=a_minute_ago, serverDate=a_minute_ago + 5_000)

    shown = state(bridge)
    assert (shown["bolt"], shown["bolt_inferred"]) == ("unlocked", False)


def test_with_passage_mode_off_again_the_relock_is_inferred(bridge: RunningBridge) -> None:
    set_passage_mode(bridge)
    set_passage_mode(bridge, enabled=False)
    a_minute_ago = now_ms() // 1000 * 1000 - 60_000

    post(bridge, lockDate=a_minute_ago, serverDate=a_minute_ago + 5_000)

    assert (state(bridge)["bolt"], state(bridge)["bolt_inferred"]) == ("locked", True)


def test_a_passage_mode_unlock_record_is_never_relocked_by_inference(
    bridge: RunningBridge,
) -> None:
    a_minute_ago = now_ms() // 1000 * 1000 - 60_000

    post(bridge, recordType=63, recordTypeFromLock=63, lockDate=a_minute_ago)

    assert (state(bridge)["bolt"], state(bridge)["bolt_inferred"]) == ("unlocked", False)


def test_when_passage_mode_cannot_be_read_no_relock_is_inferred(bridge: RunningBridge) -> None:
    set_passage_mode(bridge)
    bridge.simulator.control("faults", {"path": "/v3/lock/getPassageModeConfig", "errcode": 30007})
    a_minute_ago = now_ms() // 1000 * 1000 - 60_000

    post(bridge, lockDate=a_minute_ago)

    assert (state(bridge)["bolt"], state(bridge)["bolt_inferred"]) == ("unlocked", False)


def _quick_relock(scenario: Scenario) -> Scenario:
    locks = [lock.model_copy(update={"auto_lock_seconds": 1}) for lock in scenario.locks]
    return scenario.model_copy(update={"locks": locks})


@pytest.mark.parametrize(
    ("passage", "after"), [(True, ("unlocked", False)), (False, ("locked", True))]
)
def test_a_remote_unlock_relocks_by_inference_only_without_passage_mode(
    start_bridge: StartBridge, passage: bool, after: tuple[str, bool]
) -> None:
    bridge = start_bridge(_quick_relock)
    set_passage_mode(bridge, enabled=passage)

    assert bridge.api.post("/api/v1/locks/room-1/unlock").status_code == 200
    time.sleep(1.5)  # the auto-lock time of these locks is 1 s

    assert (state(bridge)["bolt"], state(bridge)["bolt_inferred"]) == after


MONDAY_10_UTC_MS = 1_796_637_600_000  # 2026-12-07T10:00:00Z, a Monday


@pytest.mark.parametrize(
    ("config", "offset_h", "active"),
    [
        ({"passageMode": 2}, 0, False),
        ({"passageMode": 1, "isAllDay": 1, "weekDays": [1]}, 0, True),
        ({"passageMode": 1, "isAllDay": 1, "weekDays": "[2,3]"}, 0, False),
        (
            {"passageMode": 1, "isAllDay": 2, "startDate": 540, "endDate": 660, "weekDays": [1]},
            0,
            True,
        ),
        (
            {"passageMode": 1, "isAllDay": 2, "startDate": 540, "endDate": 660, "weekDays": [1]},
            2,
            False,
        ),  # noon in the lock's zone
        (
            {"passageMode": 1, "isAllDay": 2, "startDate": 1320, "endDate": 120, "weekDays": [1]},
            13,
            True,
        ),  # 23:00 Monday in a period running past midnight
        (
            {"passageMode": 1, "isAllDay": 2, "startDate": 1320, "endDate": 120, "weekDays": [7]},
            -9,
            True,
        ),  # 01:00 Monday, in Sunday's period
        ({"passageMode": 1, "isAllDay": 2, "weekDays": [1]}, 0, None),  # no period
        ({"passageMode": 1, "isAllDay": 1}, 0, None),  # no week days
        ({"passageMode": 0}, 0, None),  # unknown
    ],
)
def test_passage_mode_periods_are_read_in_the_locks_local_time(
    config: dict[str, Any], offset_h: int, active: bool | None
) -> None:
    parsed = PassageModeConfig.model_validate(config)

    assert passage_mode_active(parsed, MONDAY_10_UTC_MS, offset_h * HOUR_MS) is active


# --- clocks ---------------------------------------------------------------------------------


def test_a_record_two_hours_ahead_does_not_win_over_a_later_lock_command(
    bridge: RunningBridge, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="ttlock_bridge.locks")
    received = now_ms()
    post(bridge, lockDate=received // 1000 * 1000 + 2 * HOUR_MS, serverDate=received)

    assert bridge.api.post("/api/v1/locks/room-1/lock").status_code == 200

    shown = state(bridge)
    assert (shown["bolt"], shown["bolt_source"]) == ("locked", "command")
    assert shown["clock_problem"] is True
    assert abs(shown["clock_offset_ms"] - 2 * HOUR_MS) < 1_000
    assert "event=lock_clock_problem lock_id=1000002 clock_offset_ms=7" in caplog.text
    [event] = [
        e for e in bridge.api.get("/api/v1/events").json()["events"] if e["record_type"] == 4
    ]
    assert abs(event["clock_offset_ms"] - 2 * HOUR_MS) < 1_000  # lockDate kept as the lock said


@pytest.mark.parametrize(
    ("lock_date_offset_ms", "problem"),
    [
        (2 * HOUR_MS, True),  # ahead (a wrong time zone)
        (-3 * 60_000, True),  # behind, beyond 2 minutes
        (90_000, False),  # ahead, within 2 minutes
        (0, False),  # the usual: the lock's whole second, the cloud's millisecond
        (None, True),  # lockDate sent in seconds instead of milliseconds
    ],
    ids=["2h-ahead", "3min-behind", "90s-ahead", "whole-seconds", "seconds-not-ms"],
)
def test_news_is_ordered_by_arrival_whatever_the_locks_clock_says(
    bridge: RunningBridge, lock_date_offset_ms: int | None, problem: bool
) -> None:
    post(bridge, recordType=11, recordTypeFromLock=26)  # app lock, on time
    received = now_ms()
    if lock_date_offset_ms is None:
        lock_date = received // 1000
    else:
        lock_date = (received + lock_date_offset_ms) // 1000 * 1000

    post(bridge, recordType=4, lockDate=lock_date, serverDate=received)

    shown = state(bridge)
    assert (shown["bolt"], shown["bolt_source"], shown["bolt_inferred"]) == (
        "unlocked",
        "callback",
        False,
    )
    assert shown["clock_problem"] is problem


def test_an_older_record_arriving_late_does_not_undo_newer_news(bridge: RunningBridge) -> None:
    received = now_ms()
    post(bridge, recordType=11, recordTypeFromLock=26, lockDate=received // 1000 * 1000,
         serverDate=received)  # fmt: skip

    post(bridge, recordType=4, lockDate=received - 30_000, serverDate=received - 25_000)

    assert state(bridge)["bolt"] == "locked"
