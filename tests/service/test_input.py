"""Bad input gets a clear 4xx that says what to fix, and nothing happens on the locks."""

from __future__ import annotations

import logging
from datetime import date, timedelta

import pytest

from service.bridge import MAIN_ENTRANCE, ROOM_1, RunningBridge
from service.test_grants import IN_THREE_DAYS, TOMORROW, stay

TODAY = date.today()


def days_from_now(days: int) -> str:
    return (TODAY + timedelta(days=days)).isoformat()


# --- 8: windows bounded to what TTLock and a hotel mean -----------------------------------


@pytest.mark.parametrize(
    ("start", "end", "says"),
    [
        ("0001-01-01", IN_THREE_DAYS, "out of range"),
        (TOMORROW, "9999-12-31", "out of range"),
        ("0001-01-01T00:00+14:00", IN_THREE_DAYS, "out of range"),
        (days_from_now(-30), IN_THREE_DAYS, "7 days"),
        (TOMORROW, days_from_now(2000), "1830 days"),
        (TOMORROW, days_from_now(400), "365 days"),
    ],
)
def test_windows_out_of_bounds_are_422_naming_the_bound(
    bridge: RunningBridge, start: str, end: str, says: str
) -> None:
    created = bridge.api.post("/api/v1/grants", json=stay(start=start, end=end))
    grant_id = bridge.api.post("/api/v1/grants", json=stay(room="room-2")).json()["id"]
    changed = bridge.api.patch(f"/api/v1/grants/{grant_id}", json={"start": start, "end": end})
    passcode = bridge.api.post(
        "/api/v1/locks/room-3/passcodes",
        json={"code": "583190", "name": "Cleaner", "start": start, "end": end},
    )

    for response in (created, changed, passcode):
        assert response.status_code == 422, response.text
        assert response.json()["error"] == "invalid_input"
        assert says in response.json()["detail"]
    assert bridge.passcodes_on(1_000_004) == []


def test_a_stay_that_started_yesterday_and_lasts_a_month_is_accepted(
    bridge: RunningBridge,
) -> None:
    response = bridge.api.post("/api/v1/grants", json=stay(start=days_from_now(-1)))

    assert response.status_code == 201


def test_a_stay_across_new_year_has_the_years_in_its_passcode_name(bridge: RunningBridge) -> None:
    new_year = date(TODAY.year + 1, 1, 1)
    start, end = new_year - timedelta(days=2), new_year + timedelta(days=1)

    response = bridge.api.post(
        "/api/v1/grants", json=stay(start=start.isoformat(), end=end.isoformat())
    )

    assert response.status_code == 201
    [name] = [passcode["keyboardPwdName"] for passcode in bridge.passcodes_on(ROOM_1)]
    assert f"{start:%d/%m/%y}-{end:%d/%m/%y}" in name


# --- 9: booleans are booleans -------------------------------------------------------------


@pytest.mark.parametrize("value", ["no", 0, "off", "false", 1, "true", None])
def test_cleanup_refuses_anything_but_a_json_boolean(bridge: RunningBridge, value: object) -> None:
    bridge.api.post("/api/v1/grants", json=stay())

    dry_run = bridge.api.post("/api/v1/cleanup", json={"dry_run": value})
    sweep = bridge.api.post("/api/v1/cleanup", json={"sweep": value})

    for response in (dry_run, sweep):
        assert response.status_code == 422
        assert "valid boolean" in response.json()["detail"]
    assert bridge.simulator.state()["calls"].get("/v3/keyboardPwd/delete", 0) == 0


@pytest.mark.parametrize("value", ["yes", "1", "on", "0", "no", "off", "True", ""])
def test_boolean_query_parameters_are_true_or_false_only(bridge: RunningBridge, value: str) -> None:
    response = bridge.api.get("/api/v1/grants", params={"include_inactive": value})

    assert response.status_code == 422
    assert "true or false" in response.json()["detail"]


def test_boolean_query_parameters_read_true_and_false(bridge: RunningBridge) -> None:
    grant_id = bridge.api.post("/api/v1/grants", json=stay()).json()["id"]
    bridge.api.delete(f"/api/v1/grants/{grant_id}")

    assert len(bridge.api.get("/api/v1/grants", params={"include_inactive": "true"}).json()) == 1
    assert bridge.api.get("/api/v1/grants", params={"include_inactive": "false"}).json() == []


def test_passage_mode_booleans_are_strict(bridge: RunningBridge) -> None:
    for body in ({"enabled": "off"}, {"enabled": True, "auto_unlock": "no"}, {"enabled": 0}):
        response = bridge.api.put("/api/v1/locks/main-entrance/passage-mode", json=body)
        assert response.status_code == 422, body


# --- 10: passage mode periods --------------------------------------------------------------


@pytest.mark.parametrize(
    ("period", "says"),
    [
        ({"start": "09:00"}, "both start and end"),
        ({"end": "18:00"}, "both start and end"),
        ({"start": "09:00", "end": "09:00"}, "must end after it starts"),
        ({"start": "18:00", "end": "09:00"}, "must end after it starts"),
    ],
)
def test_passage_mode_refuses_half_or_empty_periods(
    bridge: RunningBridge, period: dict[str, str], says: str
) -> None:
    response = bridge.api.put(
        "/api/v1/locks/main-entrance/passage-mode", json={"enabled": True, **period}
    )

    assert response.status_code == 422
    assert says in response.json()["detail"]
    shown = bridge.api.get("/api/v1/locks/main-entrance/passage-mode").json()
    assert shown["enabled"] is not True


# --- 11: control and bidi characters -------------------------------------------------------


@pytest.mark.parametrize(
    "name", ["Smith\x7f", "Smith\x9b31m", "Smith\u202eevil", "Smith\nINFO forged", "A\u2066B"]
)
def test_names_with_control_or_bidi_characters_are_refused_everywhere(
    bridge: RunningBridge, name: str
) -> None:
    grant_id = bridge.api.post("/api/v1/grants", json=stay(room="room-2")).json()["id"]

    answers = [
        bridge.api.post("/api/v1/grants", json=stay(name=name)),
        bridge.api.patch(f"/api/v1/grants/{grant_id}", json={"name": name}),
        bridge.api.post("/api/v1/locks/room-3/passcodes", json={"code": "583190", "name": name}),
    ]

    for answer in answers:
        assert answer.status_code == 422
        assert "U+" in answer.json()["detail"]
        assert name not in answer.text
    assert bridge.passcodes_on(ROOM_1) == []
    assert bridge.passcodes_on(1_000_004) == []
    assert bridge.api.get(f"/api/v1/grants/{grant_id}").json()["name"] == "Smith"
    [on_entrance] = [p["keyboardPwdName"] for p in bridge.passcodes_on(MAIN_ENTRANCE)]
    assert on_entrance.startswith("Smith ")


def test_names_in_other_scripts_and_with_emoji_are_kept(bridge: RunningBridge) -> None:
    response = bridge.api.post("/api/v1/grants", json=stay(name="Παπαδόπουλος 👨‍👩‍👧 שלום"))

    assert response.status_code == 201
    assert response.json()["name"] == "Παπαδόπουλος 👨‍👩‍👧 שלום"


def test_the_log_escapes_control_and_bidi_characters() -> None:
    from ttlock_bridge.operations.logs import RedactingFormatter

    record = logging.LogRecord(
        "ttlock_bridge.test", logging.INFO, __file__, 1, "door %s", ("a\u202eb\nc\x9b",), None
    )

    line = RedactingFormatter([]).format(record)

    assert "\n" not in line
    assert "\u202e" not in line
    assert "\x9b" not in line
    assert "a\\u202eb\\x0ac\\x9b" in line


# --- 15: answers as documented -------------------------------------------------------------


def test_unreadable_json_is_400(bridge: RunningBridge) -> None:
    for body in (b"{not json", b'{"room": "room-1",', b"\xff\xfe"):
        response = bridge.api.post(
            "/api/v1/grants", content=body, headers={"Content-Type": "application/json"}
        )
        assert response.status_code == 400, body
        assert response.json()["error"] == "unreadable_body"


def test_an_unknown_passcode_id_is_404(bridge: RunningBridge) -> None:
    changed = bridge.api.patch("/api/v1/locks/room-3/passcodes/4242", json={"name": "X"})
    deleted = bridge.api.delete("/api/v1/locks/room-3/passcodes/4242")

    for response in (changed, deleted):
        assert response.status_code == 404
        assert response.json()["error"] == "unknown_passcode"


def test_the_schema_is_public_and_holds_nothing_of_the_installation(
    bridge: RunningBridge,
) -> None:
    schema = bridge.anonymous.get("/openapi.json")
    page = bridge.anonymous.get("/docs")

    assert schema.status_code == page.status_code == 200
    # `room-1` appears as the example of a door name in descriptions, never a configured one
    for private in ("main-entrance", "room-6", "Hotel", str(MAIN_ENTRANCE), "test-api-token"):
        assert private not in schema.text
