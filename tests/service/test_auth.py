"""Every route needs the bearer token, except /healthz and the TTLock callback."""

from __future__ import annotations

import re

import pytest

from service.bridge import MAIN_ENTRANCE, RunningBridge

OPEN_ROUTES = {("get", "/healthz")}  # and the callback, which is not in the schema
EXAMPLE_PATH_VALUES = {
    "lock": "room-1",
    "lock_id": str(MAIN_ENTRANCE),
    "room": "room-1",
    "grant_id": "1",
    "passcode_id": "1",
}


def routes(bridge: RunningBridge) -> list[tuple[str, str]]:
    schema = bridge.anonymous.get("/openapi.json").json()
    return [
        (method, re.sub(r"\{(\w+)\}", lambda m: EXAMPLE_PATH_VALUES[m[1]], path))
        for path, operations in schema["paths"].items()
        for method in operations
    ]


def test_the_schema_lists_the_whole_api(bridge: RunningBridge) -> None:
    listed = routes(bridge)

    assert len(listed) >= 25
    assert ("post", "/api/v1/grants") in listed
    assert ("post", f"/{MAIN_ENTRANCE}/unlock") in listed


@pytest.mark.parametrize("token", [None, "wrong-token", "test-api-token"])
def test_every_protected_route_refuses_without_the_right_token(
    bridge: RunningBridge, token: str | None
) -> None:
    headers = {} if token is None else {"Authorization": f"Bearer {token}"}
    protected = [route for route in routes(bridge) if route not in OPEN_ROUTES]

    answers = {
        (method, path): bridge.anonymous.request(method, path, headers=headers)
        for method, path in protected
    }

    assert {route: answer.status_code for route, answer in answers.items()} == dict.fromkeys(
        protected, 401
    )
    for answer in answers.values():
        assert answer.json()["error"] == "unauthorized"
        assert answer.headers["www-authenticate"] == "Bearer"


def test_another_scheme_is_refused(bridge: RunningBridge) -> None:
    response = bridge.anonymous.get("/api/v1/locks", headers={"Authorization": "Basic eDp5"})

    assert response.status_code == 401


def test_healthz_needs_no_token(bridge: RunningBridge) -> None:
    response = bridge.anonymous.get("/healthz")

    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


def test_no_command_ran_while_refusing(bridge: RunningBridge) -> None:
    bridge.anonymous.post("/api/v1/locks/room-1/unlock")
    bridge.anonymous.post(f"/{MAIN_ENTRANCE}/unlock")

    assert bridge.simulator.state()["calls"].get("/v3/lock/unlock", 0) == 0
