"""Lock records and the lock-record callback, delivered over real HTTP to a local receiver."""

import json
import time
from collections.abc import Iterator
from typing import Any

import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import PlainTextResponse
from starlette.routing import Route

from conftest import RunningSimulator, StartSimulator
from simulator.client import MAIN_ENTRANCE, ROOM_1, Caller
from ttlock_bridge.simulator import default_scenario, serve_in_background
from ttlock_bridge.simulator.scenario import AppConfig


class Receiver:
    """A stand-in for the bridge's /ttlock/callback that remembers every form it got."""

    def __init__(self, answer: str) -> None:
        self.forms: list[dict[str, str]] = []
        self.answer = answer

    async def endpoint(self, request: Request) -> PlainTextResponse:
        self.forms.append({key: str(value) for key, value in (await request.form()).items()})
        return PlainTextResponse(self.answer)


@pytest.fixture
def receiver() -> Iterator[tuple[Receiver, str]]:
    receiver = Receiver("success")
    app = Starlette(routes=[Route("/ttlock/callback", receiver.endpoint, methods=["POST"])])
    with serve_in_background(app) as base_url:
        yield receiver, f"{base_url}/ttlock/callback"


def with_callback(url: str) -> Any:
    app = AppConfig(
        client_id="demo-client-id", client_secret="demo-client-secret", callback_url=url
    )
    return default_scenario().model_copy(update={"apps": [app]})


def wait_for(condition: Any, timeout_s: float = 10.0) -> None:
    deadline = time.monotonic() + timeout_s
    while not condition():
        assert time.monotonic() < deadline, "condition not reached in time"
        time.sleep(0.02)


def test_records_are_newest_first_and_filtered_on_lock_date(simulator: RunningSimulator) -> None:
    caller = Caller(simulator)
    caller.post("/v3/lock/unlock", lockId=ROOM_1)
    first_ms = simulator.state()["records"][0]["lockDate"]
    simulator.control("clock", {"advance_ms": 60_000})
    caller.date_offset_ms = 60_000
    caller.post("/v3/lock/lock", lockId=ROOM_1)
    simulator.control(f"locks/{ROOM_1}/keypad", {"code": "999111"})
    page = caller.get("/v3/lockRecord/list", lockId=ROOM_1, pageNo=1, pageSize=20)
    assert page["total"] == 3
    assert [item["recordType"] for item in page["list"]] == [4, 11, 12]
    assert list(page["list"][0]) == [
        "recordId",
        "lockId",
        "recordTypeFromLock",
        "recordType",
        "success",
        "username",
        "keyboardPwd",
        "lockDate",
        "serverDate",
    ]
    assert page["list"][0]["lockDate"] % 1000 == 0
    older = caller.get("/v3/lockRecord/list", lockId=ROOM_1, endDate=first_ms + 1_000)
    assert [item["recordType"] for item in older["list"]] == [12]
    newer = caller.get("/v3/lockRecord/list", lockId=ROOM_1, startDate=first_ms + 30_000)
    assert newer["total"] == 2
    assert caller.get("/v3/lockRecord/list", lockId=MAIN_ENTRANCE)["total"] == 0


def test_a_remote_unlock_is_posted_to_the_callback_url(
    start_simulator: StartSimulator, receiver: tuple[Receiver, str]
) -> None:
    received, url = receiver
    running = start_simulator(with_callback(url))
    Caller(running).post("/v3/lock/unlock", lockId=MAIN_ENTRANCE)
    wait_for(lambda: running.state()["callbacks"]["delivered"] == 1)
    [form] = received.forms
    assert set(form) == {"notifyType", "lockId", "lockMac", "admin", "records"}
    assert (form["notifyType"], form["lockId"]) == ("1", str(MAIN_ENTRANCE))
    assert (form["lockMac"], form["admin"]) == ("ED:AE:90:63:CE:01", "demo@example.com")
    [record] = json.loads(form["records"])
    assert (record["recordType"], record["success"], record["lockId"]) == (12, 1, MAIN_ENTRANCE)
    assert record["electricQuantity"] == 87


def test_a_keypad_entry_is_posted_to_the_callback_url(
    start_simulator: StartSimulator, receiver: tuple[Receiver, str]
) -> None:
    received, url = receiver
    running = start_simulator(with_callback(url))
    Caller(running)  # the admin signs in through this app, so its callback gets the records
    running.control(f"locks/{ROOM_1}/keypad", {"code": "24681357"})
    wait_for(lambda: len(received.forms) == 1)
    [record] = json.loads(received.forms[0]["records"])
    assert (record["recordType"], record["success"], record["keyboardPwd"]) == (4, 0, "24681357")


def test_failed_deliveries_are_counted_and_do_not_disturb_the_simulator(
    start_simulator: StartSimulator, receiver: tuple[Receiver, str]
) -> None:
    received, url = receiver
    received.answer = "not the expected body"
    running = start_simulator(with_callback(url))
    caller = Caller(running)
    caller.post("/v3/lock/unlock", lockId=ROOM_1)
    wait_for(lambda: running.state()["callbacks"]["failed"] == 1)
    unreachable = start_simulator(with_callback("http://127.0.0.1:9/nowhere"))
    assert Caller(unreachable).post("/v3/lock/unlock", lockId=ROOM_1)["errcode"] == 0
    wait_for(lambda: unreachable.state()["callbacks"] == {"delivered": 0, "failed": 1})


def test_no_callback_url_means_no_delivery_attempt(simulator: RunningSimulator) -> None:
    Caller(simulator).post("/v3/lock/unlock", lockId=ROOM_1)
    assert simulator.state()["callbacks"] == {"delivered": 0, "failed": 0}
