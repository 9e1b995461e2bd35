"""Issuing, changing, revealing and cancelling through the console's forms: the access core
does the work, every action is recorded with the operator's name, bad input is shown next to
its field with nothing written."""

from __future__ import annotations

import re
from datetime import timedelta

import httpx

from web.conftest import (
    ADMIN_NAME,
    ADMIN_PASSWORD,
    DESK_NAME,
    RunningConsole,
    csrf_of,
    today,
)


def issue_form(client: httpx.Client, **fields: str) -> dict[str, str]:
    page = client.get("/issue").text
    request_id = re.search(r'name="request_id" value="([^"]+)"', page)
    assert request_id is not None
    day = today()
    form = {
        "csrf_token": csrf_of(page),
        "request_id": request_id[1],
        "room": "room-2",
        "arrival_date": day.isoformat(),
        "arrival_time": "00:00",
        "departure_date": (day + timedelta(days=2)).isoformat(),
        "departure_time": "11:00",
        "name": "Lovelace",
        "code": "",
    }
    form.update(fields)
    return form


def grant_count(console: RunningConsole) -> int:
    return len(console.bridge.api.get("/api/v1/grants", params={"include_inactive": "true"}).json())


def test_issue_shows_the_code_and_records_who_issued_it(console: RunningConsole) -> None:
    client = console.signed_in()
    answer = client.post("/issue", data=issue_form(client, code="135792"))

    assert answer.status_code == 200
    assert 'id="issued-code">135792<' in answer.text
    assert 'data-grant-doors="1"' in answer.text
    [grant] = console.bridge.api.get("/api/v1/grants").json()
    assert grant["room"] == "room-2"
    assert {door["door"] for door in grant["doors"]} == {"room-2", "main-entrance"}
    [action] = [a for a in console.console.desk.journal.read() if a.action == "issued"]
    assert action.operator == DESK_NAME
    assert action.grant_id == grant["id"]
    assert "135792" not in (action.detail or "")


def test_a_repeated_issue_form_gives_back_the_same_grant(console: RunningConsole) -> None:
    client = console.signed_in()
    form = issue_form(client)
    first = client.post("/issue", data=form)
    again = client.post("/issue", data=form)

    assert first.status_code == again.status_code == 200
    assert grant_count(console) == 1


def test_bad_input_is_shown_next_to_its_field_and_nothing_is_written(
    console: RunningConsole,
) -> None:
    client = console.signed_in()
    cases = {
        "departure": {"departure_date": (today() - timedelta(days=3)).isoformat()},
        "room": {"room": "room-99"},
        "code": {"code": "123456"},
        "arrival": {"arrival_date": "23/11/2026"},
    }
    for field, change in cases.items():
        answer = client.post("/issue", data=issue_form(client, **change))
        assert answer.status_code == 422, field
        assert f'id="{field}-error"' in answer.text, field
        assert "Nothing was issued" in answer.text
    assert grant_count(console) == 0


def test_a_clash_is_shown_next_to_the_code(console: RunningConsole) -> None:
    client = console.signed_in()
    client.post("/issue", data=issue_form(client, code="135792"))
    answer = client.post("/issue", data=issue_form(client, room="room-3", code="135792"))

    assert answer.status_code == 422
    assert 'id="code-error"' in answer.text
    assert "already in use on main-entrance" in answer.text
    assert grant_count(console) == 1


def test_a_form_without_its_token_changes_nothing(console: RunningConsole) -> None:
    client = console.signed_in()
    form = issue_form(client)
    del form["csrf_token"]

    assert client.post("/issue", data=form).status_code == 403
    assert grant_count(console) == 0


def test_modify_reveal_and_cancel_are_recorded(console: RunningConsole) -> None:
    client = console.signed_in()
    client.post("/issue", data=issue_form(client, code="135792"))
    page = client.get("/grants/1").text
    assert "135792" not in page
    token = csrf_of(page)

    revealed = client.post("/grants/1/reveal", data={"csrf_token": token})
    assert 'id="grant-code">135792<' in revealed.text

    later = (today() + timedelta(days=3)).isoformat()
    form = {
        "csrf_token": token,
        "arrival_date": today().isoformat(),
        "arrival_time": "00:00",
        "departure_date": later,
        "departure_time": "11:00",
        "name": "Ada Lovelace",
        "code": "",
    }
    assert client.post("/grants/1", data=form).status_code == 303
    grant = console.bridge.api.get("/api/v1/grants/1").json()
    assert grant["name"] == "Ada Lovelace"
    assert grant["end"].startswith(f"{later} 11:00")

    assert "Yes, cancel the grant" in client.get("/grants/1/cancel").text
    assert client.post("/grants/1/cancel", data={"csrf_token": token}).status_code == 303
    assert console.bridge.api.get("/api/v1/grants/1").json()["state"] == "cancelled"

    history = client.get("/grants/1").text
    for words in ("issued", "revealed code", "modified: departure", "cancelled"):
        assert words in history
    actions = console.console.desk.journal.read(grant_id=1)
    assert [a.action for a in actions] == ["cancelled", "modified", "revealed_code", "issued"]
    assert {a.operator for a in actions} == {DESK_NAME}


def test_a_departure_before_arrival_on_the_grant_page_changes_nothing(
    console: RunningConsole,
) -> None:
    client = console.signed_in()
    client.post("/issue", data=issue_form(client))
    before = console.bridge.api.get("/api/v1/grants/1").json()
    page = client.get("/grants/1").text
    form = {
        "csrf_token": csrf_of(page),
        "arrival_date": (today() + timedelta(days=5)).isoformat(),
        "arrival_time": "15:00",
        "departure_date": (today() + timedelta(days=4)).isoformat(),
        "departure_time": "11:00",
        "name": "Lovelace",
        "code": "",
    }
    answer = client.post("/grants/1", data=form)

    assert answer.status_code == 422
    assert 'id="departure-error"' in answer.text
    assert console.bridge.api.get("/api/v1/grants/1").json() == before


def test_an_unknown_grant_is_not_found(console: RunningConsole) -> None:
    assert console.signed_in(ADMIN_NAME, ADMIN_PASSWORD).get("/grants/999").status_code == 404


def test_a_code_for_doors_instead_of_a_room(console: RunningConsole) -> None:
    client = console.signed_in()
    form = issue_form(client, room="", code="582714")
    answer = client.post("/issue", data={**form, "doors": ["main-entrance", "room-6"]})

    assert answer.status_code == 200
    grant = console.bridge.api.get("/api/v1/grants/1").json()
    assert grant["room"] is None
    assert [door["door"] for door in grant["doors"]] == ["main-entrance", "room-6"]
    both = client.post("/issue", data={**issue_form(client), "doors": ["room-6"]})
    assert both.status_code == 422
    assert "choose a room or doors, not both" in both.text
    assert grant_count(console) == 1
