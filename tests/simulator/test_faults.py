"""Faults injected through /_sim/faults: errcode, HTTP error, delay, dropped connection."""

import time

import httpx
import pytest

from conftest import RunningSimulator
from simulator.client import ROOM_1, Caller


def test_an_errcode_fault_answers_the_error_without_applying(simulator: RunningSimulator) -> None:
    caller = Caller(simulator)
    simulator.control("faults", {"path": "/v3/lock/unlock", "count": 2, "errcode": -3003})
    assert caller.post("/v3/lock/unlock", lockId=ROOM_1)["errcode"] == -3003
    assert caller.post("/v3/lock/unlock", lockId=ROOM_1)["errcode"] == -3003
    assert simulator.state()["records"] == []
    assert caller.post("/v3/lock/unlock", lockId=ROOM_1)["errcode"] == 0
    assert simulator.state()["calls"]["/v3/lock/unlock"] == 3


def test_an_http_status_fault_answers_a_non_json_error(simulator: RunningSimulator) -> None:
    caller = Caller(simulator)
    simulator.control("faults", {"path": "/oauth2/token", "http_status": 500})
    response = httpx.post(f"{simulator.base_url}/v3/lock/detail", data=caller.signed({}))
    assert response.status_code == 200
    failed = httpx.post(f"{simulator.base_url}/oauth2/token", data={"clientId": "x"})
    assert failed.status_code == 500
    with pytest.raises(ValueError, match="Expecting value"):
        failed.json()


def test_a_delay_fault_slows_the_answer(simulator: RunningSimulator) -> None:
    caller = Caller(simulator)
    simulator.control("faults", {"path": "/v3/lock/detail", "delay_ms": 300})
    started = time.monotonic()
    assert caller.get("/v3/lock/detail", lockId=ROOM_1)["lockId"] == ROOM_1
    assert time.monotonic() - started >= 0.3


def test_a_dropped_connection_after_apply_is_a_transport_error_yet_applied(
    simulator: RunningSimulator,
) -> None:
    caller = Caller(simulator)
    simulator.control("faults", {"path": "/v3/keyboardPwd/add", "drop_after_apply": True})
    with pytest.raises((httpx.RemoteProtocolError, httpx.ReadError)):
        httpx.post(
            f"{simulator.base_url}/v3/keyboardPwd/add",
            data=caller.signed(
                {"lockId": ROOM_1, "keyboardPwd": "482915", "keyboardPwdType": 2, "addType": 2}
            ),
        )
    lock = next(lock for lock in simulator.state()["locks"] if lock["lockId"] == ROOM_1)
    assert [(p["keyboardPwd"], p["onLock"]) for p in lock["passcodes"]] == [("482915", True)]
    assert caller.get("/v3/lock/detail", lockId=ROOM_1)["lockId"] == ROOM_1


def test_control_errors_are_json_with_4xx(simulator: RunningSimulator) -> None:
    unknown_path = httpx.post(f"{simulator.base_url}/_sim/faults", json={"path": "/v3/nope"})
    assert unknown_path.status_code == 404
    assert "not a simulated" in unknown_path.json()["error"]
    bad_body = httpx.post(f"{simulator.base_url}/_sim/clock", json={"now_ms": "soon"})
    assert bad_body.status_code == 400
    unknown_lock = httpx.post(f"{simulator.base_url}/_sim/locks/7/keypad", json={"code": "1"})
    assert unknown_lock.status_code == 404
