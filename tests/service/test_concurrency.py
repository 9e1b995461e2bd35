"""Requests at the same moment get what they would get one after the other (DESIGN.md,
invariant 10): a clash is a 409, never two grants with one code, never a 500.

Every race runs with the simulator's cloud latency on, so the requests overlap for real; the
rounds repeat it on fresh rooms and codes.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from datetime import date, timedelta
from threading import Barrier
from typing import Any

import httpx
import pytest

from service.bridge import API_TOKEN, MAIN_ENTRANCE, ROOM_1, RunningBridge
from service.test_grants import stay

LATENCY_MS = 200
ROUNDS = [
    ("room-1", "room-2", "638402"),
    ("room-3", "room-4", "472915"),
    ("room-5", "room-6", "815073"),
]

Call = Callable[[httpx.Client], httpx.Response]


@contextmanager
def cloud_latency(bridge: RunningBridge) -> Iterator[None]:
    bridge.simulator.control("settings", {"latency_ms": LATENCY_MS})
    try:
        yield
    finally:
        bridge.simulator.control("settings", {"latency_ms": 0})


def at_once(bridge: RunningBridge, calls: list[Call]) -> list[httpx.Response]:
    """Run the calls in parallel threads, each with its own connection, released together."""
    start = Barrier(len(calls))

    def run(call: Call) -> httpx.Response:
        with httpx.Client(
            base_url=bridge.url, headers={"Authorization": f"Bearer {API_TOKEN}"}, timeout=60
        ) as client:
            start.wait()
            return call(client)

    with ThreadPoolExecutor(len(calls)) as pool:
        return list(pool.map(run, calls))


def post_grant(**body: Any) -> Call:
    return lambda client: client.post("/api/v1/grants", json=stay(**body))


def patch_grant(grant_id: int, **body: Any) -> Call:
    return lambda client: client.patch(f"/api/v1/grants/{grant_id}", json=body)


def codes_on_entrance(bridge: RunningBridge) -> list[str]:
    return [passcode["keyboardPwd"] for passcode in bridge.passcodes_on(MAIN_ENTRANCE)]


@pytest.mark.parametrize(("first", "second", "code"), ROUNDS)
def test_two_grants_created_at_once_with_one_code_one_gets_409(
    bridge: RunningBridge, first: str, second: str, code: str
) -> None:
    with cloud_latency(bridge):
        answers = at_once(
            bridge, [post_grant(room=first, code=code), post_grant(room=second, code=code)]
        )

    assert sorted(answer.status_code for answer in answers) == [201, 409]
    assert codes_on_entrance(bridge).count(code) == 1
    [granted] = bridge.api.get("/api/v1/grants").json()
    assert granted["code"].endswith(code[-2:])


def test_a_code_change_and_a_create_racing_for_one_code_one_gets_409(
    bridge: RunningBridge,
) -> None:
    for existing_room, new_room, code in ROUNDS:
        grant_id = bridge.api.post("/api/v1/grants", json=stay(room=existing_room)).json()["id"]

        with cloud_latency(bridge):
            answers = at_once(
                bridge,
                [patch_grant(grant_id, code=code), post_grant(room=new_room, code=code)],
            )

        assert sorted(answer.status_code for answer in answers) in ([200, 409], [201, 409])
        holders = [
            grant
            for grant in bridge.api.get("/api/v1/grants").json()
            if bridge.api.get(f"/api/v1/grants/{grant['id']}").json()["code"] == code
        ]
        assert len(holders) == 1
        assert codes_on_entrance(bridge).count(code) == 1


def test_ten_cancels_of_one_grant_at_once_all_answer_and_the_code_goes(
    bridge: RunningBridge,
) -> None:
    grant_id = bridge.api.post("/api/v1/grants", json=stay(code="638402")).json()["id"]

    with cloud_latency(bridge):
        answers = at_once(bridge, [lambda client: client.delete(f"/api/v1/grants/{grant_id}")] * 10)

    assert {answer.status_code for answer in answers} <= {200, 409}
    assert all(answer.json()["state"] == "cancelled" for answer in answers if answer.is_success)
    assert "638402" not in codes_on_entrance(bridge)


def test_ten_changes_of_one_grant_at_once_apply_in_turn_never_500(bridge: RunningBridge) -> None:
    grant_id = bridge.api.post("/api/v1/grants", json=stay()).json()["id"]
    names = [f"Guest {n}" for n in range(10)]

    def rename(name: str) -> Call:
        return lambda client: client.patch(f"/api/v1/grants/{grant_id}", json={"name": name})

    with cloud_latency(bridge):
        answers = at_once(bridge, [rename(name) for name in names])

    assert {answer.status_code for answer in answers} <= {200, 409}
    final = bridge.api.get(f"/api/v1/grants/{grant_id}").json()
    assert final["name"] in names
    assert {door["status"] for door in final["doors"]} == {"active"}
    on_lock = [p["keyboardPwdName"] for p in bridge.passcodes_on(MAIN_ENTRANCE)]
    assert len(on_lock) == 1
    assert on_lock[0].startswith(final["name"])


def test_a_cancel_racing_changes_leaves_the_grant_cancelled_and_the_code_gone(
    bridge: RunningBridge,
) -> None:
    grant_id = bridge.api.post("/api/v1/grants", json=stay(code="638402")).json()["id"]

    def change_end(days: int) -> Call:
        end = (date.today() + timedelta(days=days)).isoformat()
        return lambda client: client.patch(f"/api/v1/grants/{grant_id}", json={"end": end})

    cancel: Call = lambda client: client.delete(f"/api/v1/grants/{grant_id}")  # noqa: E731
    with cloud_latency(bridge):
        answers = at_once(bridge, [cancel, *(change_end(days) for days in (4, 5, 6))])

    assert {answer.status_code for answer in answers} <= {200, 409}
    assert answers[0].status_code == 200
    assert bridge.api.get(f"/api/v1/grants/{grant_id}").json()["state"] == "cancelled"
    assert "638402" not in codes_on_entrance(bridge)


def test_concurrent_creates_with_one_idempotency_key_make_one_grant(
    bridge: RunningBridge,
) -> None:
    key = {"Idempotency-Key": "retry-42"}
    with cloud_latency(bridge):
        answers = at_once(
            bridge, [lambda client: client.post("/api/v1/grants", json=stay(), headers=key)] * 4
        )

    assert {answer.status_code for answer in answers} == {201}
    assert len({answer.json()["id"] for answer in answers}) == 1
    assert len(bridge.passcodes_on(ROOM_1)) == 1
