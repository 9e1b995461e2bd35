"""Sign-in, sessions, CSRF and roles, over HTTP against the running bridge."""

from __future__ import annotations

from sqlalchemy import text

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
