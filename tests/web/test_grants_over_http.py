"""Issuing, changing, revealing and cancelling through the console's forms: the access core
does the work, every action is recorded with the operator's name, bad input is shown next to
its field with nothing written."""

from __future__ import annotations

import html
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


def local(iso: str) -> str:
    """`2026-12-02T00:00:00+01:00` (the API's) -> `2026-12-02 00:00` (the console's)."""
    return f"{iso[:10]} {iso[11:16]}"


def test_a_door_without_gateway_shows_its_own_code_window_use_by_and_expiry(
    console: RunningConsole,
) -> None:
    console.bridge.simulator.control("locks/1000003", {"gateway": None})  # room-2's: offline
    client = console.signed_in()

    issued = client.post(
        "/issue", data=issue_form(client, code="135792", arrival_time="00:30")
    ).text

    grant = console.bridge.api.get("/api/v1/grants/1").json()
    room = next(door for door in grant["doors"] if door["door"] == "room-2")
    code, use_by = room["code"], local(room["use_by"])
    assert grant["codes_differ"]
    assert f'id="issued-code-room-2">{code}<' in issued
    assert 'id="issued-code-main-entrance">135792<' in issued
    card = issued.split('class="guest-card"')[1]
    assert code in card
    assert "135792" in card
    assert f"Use the code of room-2 once before {use_by}" in card
    window = f"offline code valid {local(room['valid_from'])} → {local(room['valid_until'])}"
    assert local(room["valid_from"]).endswith("00:00")  # the whole hour before 00:30

    page = client.get("/grants/1").text
    assert code not in page
    assert "135792" not in page
    assert f"{window}; use once before {use_by}" in page
    assert "****92" in page
    assert "a code per door" in client.get("/").text
    revealed = client.post("/grants/1/reveal", data={"csrf_token": csrf_of(page)}).text
    assert f'<span class="code">{code}</span>' in revealed
    assert '<span class="code">135792</span>' in revealed

    warning = client.get("/grants/1/cancel").text
    assert "room-2 holds an offline code: where no gateway can delete it" in warning
    client.post("/grants/1/cancel", data={"csrf_token": csrf_of(page)})
    after = client.get("/grants/1").text
    [chip] = re.findall(r'<li class="chip expiring" data-door="room-2".*?</li>', after, re.S)
    assert "expires by itself at" in chip
    assert "TTLock app" in chip
    assert "use once before" not in chip


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


FIELD = re.compile(r'<input[^>]*\bname="([a-z_]+)"[^>]*\bvalue="([^"]*)"')


def change_form(page: str) -> dict[str, str]:
    """The grant page's change form as the browser would send it (its values as loaded)."""
    found = re.search(r'<form method="post" action="/grants/\d+"', page)
    assert found is not None, "no change form on the page"
    form = page[found.start() :]
    fields = dict(FIELD.findall(form[: form.index("</form>")]))
    return {name: html.unescape(value) for name, value in fields.items()}


def test_a_change_from_an_older_tab_is_refused_and_the_grant_shown_as_it_is_now(
    console: RunningConsole,
) -> None:
    client = console.signed_in()
    client.post("/issue", data=issue_form(client, name="Original"))
    tab_a = change_form(client.get("/grants/1").text)
    tab_b = change_form(client.get("/grants/1").text)
    assert "version" in tab_a

    assert client.post("/grants/1", data={**tab_a, "name": "Alpha"}).status_code == 303
    later = (today() + timedelta(days=4)).isoformat()
    stale = client.post("/grants/1", data={**tab_b, "departure_date": later})

    assert stale.status_code == 409
    assert "This grant was changed meanwhile (by anna at " in stale.text
    assert "make your change again" in stale.text
    assert change_form(stale.text)["name"] == "Alpha"  # the form shows the grant as it is now
    grant = console.bridge.api.get("/api/v1/grants/1").json()
    assert grant["name"] == "Alpha"
    assert not grant["end"].startswith(later)
    again = client.post("/grants/1", data={**change_form(stale.text), "departure_date": later})
    assert again.status_code == 303
    assert console.bridge.api.get("/api/v1/grants/1").json()["end"].startswith(later)


def test_changing_a_cancelled_grant_says_why_on_the_page(console: RunningConsole) -> None:
    client = console.signed_in()
    client.post("/issue", data=issue_form(client))
    form = change_form(client.get("/grants/1").text)
    client.post("/grants/1/cancel", data={"csrf_token": form["csrf_token"]})

    answer = client.post("/grants/1", data={**form, "name": "Too late"})

    assert answer.status_code == 409
    assert re.search(r'role="alert">Nothing was changed: grant 1 was cancelled', answer.text)
    assert console.bridge.api.get("/api/v1/grants/1").json()["name"] == "Lovelace"


def test_cancelling_twice_is_recorded_once(console: RunningConsole) -> None:
    client = console.signed_in()
    client.post("/issue", data=issue_form(client))
    token = csrf_of(client.get("/grants/1").text)

    for _ in range(2):
        assert client.post("/grants/1/cancel", data={"csrf_token": token}).status_code == 303

    actions = [a.action for a in console.console.desk.journal.read(grant_id=1)]
    assert actions.count("cancelled") == 1


def test_times_are_the_propertys_on_the_24_hour_clock_in_words_for_people(
    console: RunningConsole,
) -> None:
    client = console.signed_in()
    for typed in ("15:00+05:00", "15:00Z"):
        refused = client.post("/issue", data=issue_form(client, arrival_time=typed))
        assert refused.status_code == 422, typed
        assert (
            'id="arrival-error">write the time as 15:00 (24-hour clock), in Europe/Berlin time<'
            in refused.text
        ), typed
    assert grant_count(console) == 0

    issued = client.post("/issue", data=issue_form(client, arrival_time="9:00"))

    assert issued.status_code == 200
    assert console.bridge.api.get("/api/v1/grants/1").json()["start"][11:16] == "09:00"


def test_check_code_finds_a_clash_on_the_doors_of_the_chosen_room(
    console: RunningConsole,
) -> None:
    client = console.signed_in()
    client.post("/issue", data=issue_form(client, code="135792"))  # room-2 and main-entrance
    token = csrf_of(client.get("/issue").text)

    def check(room: str, code: str) -> str:
        form = {"csrf_token": token, "room": room, "code": code}
        return client.post("/issue/check-code", data=form).text

    assert check("room-3", "135792").startswith(
        "Not usable: this code is already in use on main-entrance"
    )
    assert check("room-3", "135793") == "This code can be used."
    assert check("room-3", "123456").startswith("Not usable:")  # the policy, as before
