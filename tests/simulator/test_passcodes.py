"""Passcodes over HTTP: cloud-only vs on-lock, the code rules, change/delete, list, random codes."""

from typing import Any

import pytest

from conftest import RunningSimulator
from simulator import client
from simulator.client import ROOM_1, Caller

HOUR_MS = 3_600_000
SUCCESS = {"errcode": 0, "errmsg": "none error message or means yes", "description": "表示成功或是"}


def on_lock_passcodes(simulator: RunningSimulator, lock_id: int) -> list[dict[str, Any]]:
    lock = next(lock for lock in simulator.state()["locks"] if lock["lockId"] == lock_id)
    passcodes: list[dict[str, Any]] = lock["passcodes"]
    return passcodes


def add_period_code(caller: Caller, code: str, add_type: int, name: str = "Guest") -> Any:
    now_ms = client.now_ms() + caller.date_offset_ms
    return caller.post(
        "/v3/keyboardPwd/add",
        lockId=ROOM_1,
        keyboardPwd=code,
        keyboardPwdName=name,
        keyboardPwdType=3,
        startDate=now_ms - HOUR_MS,
        endDate=now_ms + 24 * HOUR_MS,
        addType=add_type,
    )


def test_add_type_1_stays_in_the_cloud_and_does_not_open_the_lock(
    simulator: RunningSimulator,
) -> None:
    caller = Caller(simulator)
    added = add_period_code(caller, "482915", add_type=1)
    assert list(added) == ["keyboardPwdId"]
    [stored] = on_lock_passcodes(simulator, ROOM_1)
    assert (stored["keyboardPwdId"], stored["onLock"]) == (added["keyboardPwdId"], False)
    typed = simulator.control(f"locks/{ROOM_1}/keypad", {"code": "482915"})
    assert typed["opened"] is False
    assert typed["record"]["success"] == 0


def test_add_type_2_writes_through_the_gateway_and_opens_the_lock(
    simulator: RunningSimulator,
) -> None:
    caller = Caller(simulator)
    added = add_period_code(caller, "482915", add_type=2, name="Room 1 guest")
    [stored] = on_lock_passcodes(simulator, ROOM_1)
    assert stored["onLock"] is True
    assert stored["keyboardPwdName"] == "Room 1 guest"
    typed = simulator.control(f"locks/{ROOM_1}/keypad", {"code": "482915"})
    assert typed["opened"] is True
    assert typed["record"]["recordType"] == 4
    assert typed["record"]["username"] == "Room 1 guest"
    assert typed["record"]["keyboardPwd"] == "482915"
    listed = caller.get("/v3/lock/listKeyboardPwd", lockId=ROOM_1, pageNo=1, pageSize=20)
    assert listed["list"][0]["keyboardPwdId"] == added["keyboardPwdId"]
    assert listed["list"][0]["keyboardPwd"] == "482915"


def test_a_code_outside_its_window_does_not_open(simulator: RunningSimulator) -> None:
    caller = Caller(simulator)
    add_period_code(caller, "482915", add_type=2)
    simulator.control("clock", {"advance_ms": 25 * HOUR_MS})
    typed = simulator.control(f"locks/{ROOM_1}/keypad", {"code": "482915"})
    assert typed["opened"] is False
    assert typed["record"]["recordTypeFromLock"] == 11


def test_adding_needs_the_gateway_for_add_type_2(simulator: RunningSimulator) -> None:
    caller = Caller(simulator)
    simulator.control("gateways/500001", {"online": False})
    assert add_period_code(caller, "482915", add_type=2)["errcode"] == -3002
    assert on_lock_passcodes(simulator, ROOM_1) == []
    assert "keyboardPwdId" in add_period_code(caller, "482915", add_type=1)


@pytest.mark.parametrize(
    ("code", "errcode"),
    [
        ("123", -3006),
        ("1234567890", -3006),
        ("12a45", -3006),
        ("1111", -2032),
        ("1234", -2032),
        ("987654", -2032),
    ],
)
def test_unusable_codes_are_refused(simulator: RunningSimulator, code: str, errcode: int) -> None:
    assert add_period_code(Caller(simulator), code, add_type=2)["errcode"] == errcode


def test_the_same_code_twice_on_one_lock_is_a_duplicate(simulator: RunningSimulator) -> None:
    caller = Caller(simulator)
    add_period_code(caller, "482915", add_type=2)
    assert add_period_code(caller, "482915", add_type=2)["errcode"] == -3007
    assert add_period_code(caller, "482915", add_type=1)["errcode"] == -3007


def test_more_than_250_custom_codes_do_not_fit(simulator: RunningSimulator) -> None:
    caller = Caller(simulator)
    for number in range(250):
        assert "keyboardPwdId" in add_period_code(caller, f"{500_000 + number * 7}", add_type=1)
    assert add_period_code(caller, "731902", add_type=1)["errcode"] == -3009


def test_change_with_change_type_2_updates_the_lock_too(simulator: RunningSimulator) -> None:
    caller = Caller(simulator)
    passcode_id = add_period_code(caller, "482915", add_type=2)["keyboardPwdId"]
    changed = caller.post(
        "/v3/keyboardPwd/change",
        lockId=ROOM_1,
        keyboardPwdId=passcode_id,
        newKeyboardPwd="730461",
        keyboardPwdName="Renamed",
        changeType=2,
    )
    assert changed == SUCCESS
    assert simulator.control(f"locks/{ROOM_1}/keypad", {"code": "482915"})["opened"] is False
    assert simulator.control(f"locks/{ROOM_1}/keypad", {"code": "730461"})["opened"] is True
    [stored] = on_lock_passcodes(simulator, ROOM_1)
    assert (stored["keyboardPwd"], stored["keyboardPwdName"]) == ("730461", "Renamed")


def test_change_with_change_type_1_leaves_the_lock_holding_the_old_code(
    simulator: RunningSimulator,
) -> None:
    caller = Caller(simulator)
    passcode_id = add_period_code(caller, "482915", add_type=2)["keyboardPwdId"]
    caller.post(
        "/v3/keyboardPwd/change", lockId=ROOM_1, keyboardPwdId=passcode_id, newKeyboardPwd="730461"
    )
    assert simulator.control(f"locks/{ROOM_1}/keypad", {"code": "482915"})["opened"] is True
    assert simulator.control(f"locks/{ROOM_1}/keypad", {"code": "730461"})["opened"] is False


def test_delete_type_2_removes_the_code_from_cloud_and_lock(simulator: RunningSimulator) -> None:
    caller = Caller(simulator)
    passcode_id = add_period_code(caller, "482915", add_type=2)["keyboardPwdId"]
    deleted = caller.post(
        "/v3/keyboardPwd/delete", lockId=ROOM_1, keyboardPwdId=passcode_id, deleteType=2
    )
    assert deleted == SUCCESS
    assert on_lock_passcodes(simulator, ROOM_1) == []
    assert simulator.control(f"locks/{ROOM_1}/keypad", {"code": "482915"})["opened"] is False
    listed = caller.get("/v3/lock/listKeyboardPwd", lockId=ROOM_1, pageNo=1, pageSize=20)
    assert listed["total"] == 0


def test_delete_type_1_only_forgets_the_cloud_record(simulator: RunningSimulator) -> None:
    caller = Caller(simulator)
    passcode_id = add_period_code(caller, "482915", add_type=2)["keyboardPwdId"]
    caller.post("/v3/keyboardPwd/delete", lockId=ROOM_1, keyboardPwdId=passcode_id, deleteType=1)
    [orphan] = on_lock_passcodes(simulator, ROOM_1)
    assert (orphan["inCloud"], orphan["onLock"]) == (False, True)
    assert simulator.control(f"locks/{ROOM_1}/keypad", {"code": "482915"})["opened"] is True


def test_list_pages_and_searches_by_name_or_exact_code(simulator: RunningSimulator) -> None:
    caller = Caller(simulator)
    for number, name in enumerate(["Alice stay", "Bob stay", "Cleaner"]):
        add_period_code(caller, f"58{number}917", add_type=1, name=name)
    page = caller.get("/v3/lock/listKeyboardPwd", lockId=ROOM_1, pageNo=2, pageSize=2)
    assert (page["total"], page["pages"], len(page["list"])) == (3, 2, 1)
    assert page["list"][0]["keyboardPwdName"] == "Alice stay"  # newest first by default
    by_name = caller.get("/v3/lock/listKeyboardPwd", lockId=ROOM_1, searchStr="STAY")
    assert {item["keyboardPwdName"] for item in by_name["list"]} == {"Alice stay", "Bob stay"}
    by_code = caller.get("/v3/lock/listKeyboardPwd", lockId=ROOM_1, searchStr="582917")
    assert [item["keyboardPwdName"] for item in by_code["list"]] == ["Cleaner"]
    assert caller.get("/v3/lock/listKeyboardPwd", lockId=ROOM_1, searchStr="5829")["total"] == 0
    too_big = caller.get("/v3/lock/listKeyboardPwd", lockId=ROOM_1, pageNo=1, pageSize=201)
    assert too_big["errcode"] == -3


def test_random_codes_are_deterministic_and_deleted_periods_cannot_return(
    simulator: RunningSimulator,
) -> None:
    caller = Caller(simulator)
    now_ms = simulator.state()["now_ms"]
    start_ms = now_ms - now_ms % HOUR_MS
    window = {"startDate": start_ms + 20 * 60_000, "endDate": start_ms + 5 * HOUR_MS}
    first = caller.post("/v3/keyboardPwd/get", lockId=ROOM_1, keyboardPwdType=3, **window)
    again = caller.post("/v3/keyboardPwd/get", lockId=ROOM_1, keyboardPwdType=3, **window)
    assert first == again
    assert isinstance(first["keyboardPwd"], str)
    assert len(first["keyboardPwd"]) == 7
    assert simulator.control(f"locks/{ROOM_1}/keypad", {"code": first["keyboardPwd"]})["opened"]
    listed = caller.get("/v3/lock/listKeyboardPwd", lockId=ROOM_1)["list"]
    assert (listed[0]["startDate"], listed[0]["isCustom"]) == (start_ms, 0)
    caller.post("/v3/keyboardPwd/delete", lockId=ROOM_1, keyboardPwdId=first["keyboardPwdId"])
    refused = caller.post("/v3/keyboardPwd/get", lockId=ROOM_1, keyboardPwdType=3, **window)
    assert refused["errcode"] == -1026
    one_time = caller.post("/v3/keyboardPwd/get", lockId=ROOM_1, keyboardPwdType=1, **window)
    assert one_time["keyboardPwd"] != first["keyboardPwd"]
    assert simulator.control(f"locks/{ROOM_1}/keypad", {"code": one_time["keyboardPwd"]})["opened"]
    assert not simulator.control(f"locks/{ROOM_1}/keypad", {"code": one_time["keyboardPwd"]})[
        "opened"
    ]
