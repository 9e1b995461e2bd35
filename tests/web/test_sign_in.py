"""Sign-in, sessions, CSRF and roles, over HTTP against the running bridge."""

from __future__ import annotations

import logging
import re
import threading
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest
from sqlalchemy import text

from ttlock_bridge.channels.web.sign_in import safe_next
from web.conftest import (
    ADMIN_NAME,
    ADMIN_PASSWORD,
    DESK_NAME,
    DESK_PASSWORD,
    RunningConsole,
    csrf_of,
    sign_in,
)


def test_the_board_sends_a_stranger_to_sign_in(console: RunningConsole) -> None:
    answer = console.web().get("/")

    assert answer.status_code == 303
    assert answer.headers["location"] == "/signin"


def test_the_api_token_does_not_open_the_console(console: RunningConsole) -> None:
    assert console.bridge.api.get("/").status_code == 303
    assert console.bridge.api.get("/fragments/rooms/room-1").status_code == 401


def test_sign_in_sets_a_strict_http_only_cookie_and_opens_the_board(
    console: RunningConsole,
) -> None:
    client = console.web()
    answer = sign_in(client, DESK_NAME, DESK_PASSWORD)

    cookie = answer.headers["set-cookie"]
    assert "ttlock_bridge_session=" in cookie
    assert "HttpOnly" in cookie
    assert "SameSite=strict" in cookie
    assert "Secure" not in cookie  # plain HTTP here; HTTPS requests get Secure
    board = client.get("/")
    assert board.status_code == 200
    assert "room-1" in board.text
    assert f"{DESK_NAME} (desk)" in board.text
    assert "default-src 'self'" in board.headers["content-security-policy"]


def test_a_wrong_password_is_refused_and_repeated_failures_are_throttled(
    console: RunningConsole,
) -> None:
    client = console.web()
    wrong = sign_in(client, DESK_NAME, "not the password at all")
    assert wrong.status_code == 401
    assert "Wrong name or password." in wrong.text
    assert "ttlock_bridge_session" not in client.cookies

    for _ in range(4):
        sign_in(client, DESK_NAME, "not the password at all")
    throttled = sign_in(client, DESK_NAME, DESK_PASSWORD)  # even the right password waits

    assert throttled.status_code == 429
    assert "Too many failed sign-ins: try again in 30 s." in throttled.text
    assert "ttlock_bridge_session" not in client.cookies


def test_sign_in_without_the_form_token_is_refused(console: RunningConsole) -> None:
    client = console.web()
    client.get("/signin")
    answer = client.post("/signin", data={"name": DESK_NAME, "password": DESK_PASSWORD})

    assert answer.status_code == 403
    assert "ttlock_bridge_session" not in client.cookies


def test_a_session_ends_at_sign_out(console: RunningConsole) -> None:
    client = console.signed_in()
    cookie = client.cookies["ttlock_bridge_session"]
    token = csrf_of(client.get("/").text)

    assert client.post("/signout", data={"csrf_token": token}).status_code == 303
    stale = console.web()
    stale.cookies.set("ttlock_bridge_session", cookie)
    assert stale.get("/").status_code == 303
    assert stale.get("/fragments/rooms/room-1").status_code == 401
    actions = [each.action for each in console.console.desk.journal.read()]
    assert actions[:2] == ["signed_out", "signed_in"]


def test_sign_out_without_the_form_token_is_refused(console: RunningConsole) -> None:
    client = console.signed_in()

    assert client.post("/signout", data={}).status_code == 403
    assert client.get("/").status_code == 200


def test_a_changed_password_ends_the_accounts_sessions(console: RunningConsole) -> None:
    client = console.signed_in()
    console.console.desk.accounts.set_password(DESK_NAME, "a brand new long password")

    assert client.get("/").status_code == 303


def test_admin_sees_the_problems_link_and_desk_does_not(console: RunningConsole) -> None:
    desk = console.signed_in().get("/").text
    admin = console.signed_in(ADMIN_NAME, ADMIN_PASSWORD).get("/").text

    assert 'href="/problems"' not in desk
    assert 'href="/problems"' in admin


def test_the_cookie_is_secure_when_the_request_came_over_https(console: RunningConsole) -> None:
    client = console.web()
    token = csrf_of(client.get("/signin").text)
    answer = client.post(
        "/signin",
        data={"csrf_token": token, "name": DESK_NAME, "password": DESK_PASSWORD},
        headers={"X-Forwarded-Proto": "https"},  # a TLS proxy on this host
    )

    assert answer.status_code == 303
    assert "Secure" in answer.headers["set-cookie"]


def test_a_session_expires(console: RunningConsole) -> None:
    client = console.signed_in()
    sessions = console.console.desk.sessions
    cookie = client.cookies["ttlock_bridge_session"]
    found = sessions.find(cookie)
    assert found is not None

    with console.console.desk.store.transaction() as session:
        session.execute(text("UPDATE console_sessions SET expires_at_ms = 0"))

    assert sessions.find(cookie) is None
    assert client.get("/").status_code == 303


def sign_in_from(
    client: httpx.Client, name: str, password: str, address: str, **fields: str
) -> httpx.Response:
    """Sign in as a client at `address` (told by `X-Forwarded-For`, which the bridge believes
    from 127.0.0.1 only, as a reverse proxy on the same host would send it)."""
    headers = {"X-Forwarded-For": address}
    token = csrf_of(client.get("/signin", headers=headers).text)
    form = {"csrf_token": token, "name": name, "password": password, **fields}
    return client.post("/signin", data=form, headers=headers)


def wait_s(answer: httpx.Response) -> int:
    found = re.search(r"try again in (\d+) s", answer.text)
    assert answer.status_code == 429, answer.status_code
    assert found is not None, answer.text
    return int(found[1])


def test_parallel_tries_check_no_more_passwords_than_the_throttle_allows(
    console: RunningConsole,
) -> None:
    clients = [console.web() for _ in range(30)]
    forms = [
        {"csrf_token": csrf_of(client.get("/signin").text), "name": ADMIN_NAME, "password": "x"}
        for client in clients
    ]
    start = threading.Barrier(len(clients))

    def attempt(index: int) -> int:
        start.wait()
        return clients[index].post("/signin", data=forms[index]).status_code

    with ThreadPoolExecutor(len(clients)) as pool:
        statuses = Counter(pool.map(attempt, range(len(clients))))

    assert statuses == {401: 5, 429: 25}  # 401: the password was checked


def test_strangers_failing_from_many_addresses_delay_an_operator_only_briefly(
    console: RunningConsole,
) -> None:
    for number in range(5):
        wrong = sign_in_from(console.web(), DESK_NAME, "wrong wrong wrong", f"10.1.0.{number}")
        assert wrong.status_code == 401

    client = console.web()
    waits = wait_s(sign_in_from(client, DESK_NAME.upper(), DESK_PASSWORD, "10.2.0.1"))
    assert waits <= 1  # a delay of the name, not a lock (at most a minute, however many)
    time.sleep(waits)
    assert sign_in_from(client, DESK_NAME, DESK_PASSWORD, "10.2.0.1").status_code == 303


def test_the_operators_own_browser_is_not_delayed_by_strangers(console: RunningConsole) -> None:
    browser = console.web()
    assert sign_in_from(browser, DESK_NAME, DESK_PASSWORD, "10.4.0.1").status_code == 303
    browser.cookies.delete("ttlock_bridge_session")
    for number in range(8):
        sign_in_from(console.web(), DESK_NAME, "wrong wrong wrong", f"10.1.0.{number}")

    assert sign_in_from(console.web(), DESK_NAME, DESK_PASSWORD, "10.4.0.2").status_code == 429
    assert sign_in_from(browser, DESK_NAME, DESK_PASSWORD, "10.4.0.2").status_code == 303


def test_failures_for_one_name_do_not_lock_others_out_behind_one_proxy_address(
    console: RunningConsole,
) -> None:
    for _ in range(5):
        sign_in_from(console.web(), DESK_NAME, "wrong wrong wrong", "10.5.5.5")

    assert sign_in_from(console.web(), DESK_NAME, DESK_PASSWORD, "10.5.5.5").status_code == 429
    assert sign_in_from(console.web(), ADMIN_NAME, ADMIN_PASSWORD, "10.5.5.5").status_code == 303


def test_failed_and_throttled_sign_ins_are_logged_without_the_password(
    console: RunningConsole, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="ttlock_bridge")
    for _ in range(6):
        sign_in_from(console.web(), "anna\nevent=forged", "my secret guess", "10.7.7.7")

    lines = [record.getMessage() for record in caplog.records]
    failed = "event=signin_failed operator=anna?event?forged address=10.7.7.7"
    assert lines.count(failed) == 5
    assert any(
        line.startswith("event=signin_throttled operator=anna?event?forged address=10.7.7.7")
        for line in lines
    )
    assert not any("my secret guess" in line for line in lines)


def test_names_sign_in_whatever_their_case(console: RunningConsole) -> None:
    client = console.web()
    assert sign_in(client, DESK_NAME.upper(), DESK_PASSWORD).status_code == 303
    assert f"{DESK_NAME} (desk)" in client.get("/").text


def test_a_second_sign_in_page_keeps_the_first_ones_form_working(
    console: RunningConsole,
) -> None:
    client = console.web()
    first = csrf_of(client.get("/signin").text)
    client.get("/signin")  # another tab

    form = {"csrf_token": first, "name": DESK_NAME, "password": DESK_PASSWORD}
    assert client.post("/signin", data=form).status_code == 303


def test_sign_in_goes_on_to_the_page_asked_for(console: RunningConsole) -> None:
    client = console.web()
    asked = client.get("/locks", params={"door": "room-1"})
    assert asked.status_code == 303
    assert asked.headers["location"] == "/signin?next=%2Flocks%3Fdoor%3Droom-1"

    page = client.get(asked.headers["location"]).text
    assert 'name="next" value="/locks?door=room-1"' in page
    form = {"csrf_token": csrf_of(page), "name": DESK_NAME, "password": DESK_PASSWORD}
    answer = client.post("/signin", data={**form, "next": "/locks?door=room-1"})

    assert answer.headers["location"] == "/locks?door=room-1"


@pytest.mark.parametrize(
    "asked",
    [
        "//evil.example/",
        "/\\evil.example/",
        "https://evil.example/",
        "javascript:alert(1)",
        "/\t/evil.example/",
        "evil.example",
        "",
    ],
)
def test_sign_in_never_goes_on_to_another_site(asked: str) -> None:
    assert safe_next(asked) == "/"


def test_a_forged_next_field_lands_on_the_board(console: RunningConsole) -> None:
    client = console.web()
    page = client.get("/signin", params={"next": "//evil.example/"}).text
    assert 'name="next" value="/"' in page
    form = {"csrf_token": csrf_of(page), "name": DESK_NAME, "password": DESK_PASSWORD}

    answer = client.post("/signin", data={**form, "next": "//evil.example/"})

    assert answer.headers["location"] == "/"
