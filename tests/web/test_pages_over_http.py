"""The locks page, the problems page and their refusals, over HTTP."""

from __future__ import annotations

import pytest

from web.conftest import ADMIN_NAME, ADMIN_PASSWORD, DESK_NAME, RunningConsole, csrf_of


def test_a_desk_account_cannot_open_cleanup(console: RunningConsole) -> None:
    client = console.signed_in()
    token = csrf_of(client.get("/").text)

    assert client.get("/problems").status_code == 403
    refused = client.post("/problems/cleanup", data={"csrf_token": token, "run": "yes"})
    assert refused.status_code == 403
    assert "for admin accounts" in refused.text
    assert not [a for a in console.console.desk.journal.read() if a.action == "cleanup"]


def test_an_admin_previews_then_runs_cleanup_and_it_is_recorded(console: RunningConsole) -> None:
    client = console.signed_in(ADMIN_NAME, ADMIN_PASSWORD)
    page = client.get("/problems")
    assert page.status_code == 200
    assert "Every door holds what it should." in page.text
    token = csrf_of(page.text)

    preview = client.post("/problems/cleanup", data={"csrf_token": token})
    assert "Nothing to clean up." in preview.text
    client.post("/problems/cleanup", data={"csrf_token": token, "run": "yes"})
    drift = client.post("/problems/drift", data={"csrf_token": token})

    assert drift.status_code == 200
    assert "No drift" in drift.text
    actions = [a.action for a in console.console.desk.journal.read()]
    assert actions[:2] == ["drift_checked", "cleanup"]


def test_the_locks_page_lists_every_door_without_an_unlock_button_by_default(
    console: RunningConsole,
) -> None:
    client = console.signed_in()
    page = client.get("/locks")

    assert page.status_code == 200
    for door in ("main-entrance", "room-1", "room-6"):
        assert f'data-lock="{door}"' in page.text
    assert "Unlock…" not in page.text
    assert client.get("/locks/room-1/unlock").status_code == 403
    assert client.get("/fragments/locks/room-9").status_code == 404


@pytest.mark.parametrize("console", [{"unlock": True}], indirect=True)
def test_unlock_when_allowed_is_confirmed_then_recorded(console: RunningConsole) -> None:
    client = console.signed_in()
    page = client.get("/locks")
    assert 'href="/locks/room-1/unlock"' in page.text
    confirm = client.get("/locks/room-1/unlock")
    assert "Yes, unlock room-1" in confirm.text

    assert client.post("/locks/room-1/unlock", data={}).status_code == 403
    answer = client.post("/locks/room-1/unlock", data={"csrf_token": csrf_of(confirm.text)})

    assert answer.status_code == 303
    state = console.bridge.api.get("/api/v1/locks/room-1").json()["state"]
    assert state["bolt"] == "unlocked"
    [action] = [a for a in console.console.desk.journal.read() if a.action == "unlocked"]
    assert (action.operator, action.door) == ("anna", "room-1")


BROWSER = {"Accept": "text/html,application/xhtml+xml,*/*;q=0.8"}


def test_console_pages_ignore_query_parameters_they_do_not_use(console: RunningConsole) -> None:
    client = console.signed_in()

    for path in ("/?fbclid=x", "/locks?tab=x", "/issue?room=room-2&utm_source=mail"):
        answer = client.get(path)
        assert answer.status_code == 200, path
        assert answer.headers["content-type"].startswith("text/html"), path


def test_console_errors_are_pages_in_the_consoles_layout(console: RunningConsole) -> None:
    client = console.signed_in()
    cases = {
        "/grants/abc": (404, "There is no page /grants/abc."),
        "/grants/999?tab=x": (404, "There is no grant 999."),
        "/nonexistent-page": (404, "There is no page /nonexistent-page."),
        "/fragments/locks/room-9": (404, "There is no door"),
        "/?show=everything": (422, "show: Input should be"),
        "/signout": (405, "GET /signout does not work here."),
    }
    for path, (status, words) in cases.items():
        answer = client.get(path, headers=BROWSER)
        assert answer.status_code == status, path
        assert answer.headers["content-type"].startswith("text/html"), path
        assert words in answer.text, path
        assert f"{DESK_NAME} (desk)" in answer.text, path  # the layout, signed in

    stranger = console.web().get("/nonexistent-page", headers=BROWSER)
    assert stranger.status_code == 404
    assert "Sign out" not in stranger.text
    assert client.get("/grants/abc").headers["content-type"].startswith("text/html")
    not_a_browser = client.get("/nonexistent-page")  # matches no route: the API's answer
    assert not_a_browser.json()["error"] == "not_found"


def test_the_api_still_refuses_unknown_query_parameters_in_json(console: RunningConsole) -> None:
    api = console.bridge.api
    typo = api.get("/api/v1/grants", params={"include_inactve": "true"})
    assert typo.status_code == 422
    assert "unknown query parameter(s): include_inactve" in typo.json()["detail"]
    assert api.get("/api/v1/grants/abc").json()["error"] == "invalid_request"
    missing = api.get("/api/v1/no-such-thing")
    assert missing.status_code == 404
    assert missing.json()["error"] == "not_found"
    assert api.get("/healthz", params={"x": "1"}).status_code == 422
