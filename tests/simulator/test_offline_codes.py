"""Random (offline) passcodes at the keypad and in the cloud, over HTTP (reference §8.1-§8.5,
§4.4): on the lock at once (no gateway needed), the one-time 6 hours, the 24 h first-use rule,
-3008 for codes never used, deleteType 1 vs 2, -1007 without key data, and the list items.

The simulated clock starts at a fixed moment (`START`, ten past ten) and is moved with
`/_sim/clock`; every /v3 call is dated by the simulated clock.
"""

from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from conftest import RunningSimulator, StartSimulator
from simulator import client
from simulator.client import MAIN_ENTRANCE, ROOM_1, Caller
from ttlock_bridge.simulator import Scenario, default_scenario, load_scenario
from ttlock_bridge.simulator.scenario import ClockConfig, LockConfig

HOUR_MS = 3_600_000
DAY_MS = 24 * HOUR_MS
START = datetime(2026, 11, 22, 10, 10, tzinfo=UTC)
TEN = int(datetime(2026, 11, 22, 10, tzinfo=UTC).timestamp() * 1000)
"""10:00 of the start day (epoch ms): the whole hour a code asked for "from now" starts at."""
GARDEN_GATE = 1_000_020
"""A lock without a gateway."""
ONE_TIME, PERMANENT, PERIOD = 1, 2, 3
SUCCESS = {"errcode": 0, "errmsg": "none error message or means yes", "description": "表示成功或是"}
PASSCODE_OK = (4, 4, 1)
OUT_OF_WINDOW = (11, 4, 0)
UNKNOWN_CODE = (7, 4, 0)


def offline_scenario(**garden_gate: Any) -> Scenario:
    """The small hotel at `START`, plus the garden gate: a lock with no gateway."""
    hotel = default_scenario()
    gate = LockConfig(id=GARDEN_GATE, alias="Garden gate", mac="ED:AE:90:63:30:20", **garden_gate)
    return hotel.model_copy(
        update={"clock": ClockConfig(start=START), "locks": [*hotel.locks, gate]}
    )


@dataclass
class Offline:
    """A simulator and a signed-in caller whose `date` follows the simulated clock."""

    simulator: RunningSimulator
    caller: Caller

    def at(self, now_ms: int) -> None:
        """Set the simulated clock (it runs on with real time from there)."""
        moved = self.simulator.control("clock", {"now_ms": now_ms})["now_ms"]
        self.caller.date_offset_ms = moved - client.now_ms()

    def get(self, lock_id: int, passcode_type: int, start_ms: int, end_ms: int = 0) -> Any:
        """keyboardPwd/get; `end_ms` 0 leaves endDate out (types 1 and 2)."""
        window = {"startDate": start_ms} | ({"endDate": end_ms} if end_ms else {})
        return self.caller.post(
            "/v3/keyboardPwd/get",
            lockId=lock_id,
            keyboardPwdType=passcode_type,
            keyboardPwdName=f"Guest type {passcode_type}",
            **window,
        )

    def keypad(self, lock_id: int, code: str) -> tuple[int, int, int]:
        """Type `code` on the keypad: the record's (recordTypeFromLock, recordType, success)."""
        typed = self.simulator.control(f"locks/{lock_id}/keypad", {"code": code})
        record = typed["record"]
        assert typed["opened"] is (record["success"] == 1)
        return (record["recordTypeFromLock"], record["recordType"], record["success"])

    def change(self, lock_id: int, passcode_id: int, **changes: Any) -> Any:
        return self.caller.post(
            "/v3/keyboardPwd/change", lockId=lock_id, keyboardPwdId=passcode_id, **changes
        )

    def delete(self, lock_id: int, passcode_id: int, delete_type: int) -> Any:
        return self.caller.post(
            "/v3/keyboardPwd/delete",
            lockId=lock_id,
            keyboardPwdId=passcode_id,
            deleteType=delete_type,
        )

    def listed(self, lock_id: int) -> list[dict[str, Any]]:
        items: list[dict[str, Any]] = self.caller.get(
            "/v3/lock/listKeyboardPwd", lockId=lock_id, pageNo=1, pageSize=100
        )["list"]
        return items

    def held(self, lock_id: int) -> list[dict[str, Any]]:
        """The lock's passcodes as `/_sim/state` shows them (cloud record plus `onLock`)."""
        lock = next(lock for lock in self.simulator.state()["locks"] if lock["lockId"] == lock_id)
        passcodes: list[dict[str, Any]] = lock["passcodes"]
        return passcodes


def start_offline(start_simulator: StartSimulator, scenario: Scenario) -> Offline:
    simulator = start_simulator(scenario)
    caller = Caller(simulator)
    caller.date_offset_ms = simulator.state()["now_ms"] - client.now_ms()
    return Offline(simulator, caller)


@pytest.fixture
def offline(start_simulator: StartSimulator) -> Offline:
    return start_offline(start_simulator, offline_scenario())


# --- on the lock at once, inside its window -------------------------------------------------


@pytest.mark.parametrize("lock_id", [ROOM_1, GARDEN_GATE], ids=["with gateway", "no gateway"])
def test_a_random_code_is_on_the_lock_at_once_and_opens_only_inside_its_hours(
    offline: Offline, lock_id: int
) -> None:
    start, end = TEN + 2 * HOUR_MS, TEN + 5 * HOUR_MS
    issued = offline.get(lock_id, PERIOD, start + 20 * 60_000, end + 40 * 60_000)
    assert set(issued) == {"keyboardPwd", "keyboardPwdId"}
    [held] = offline.held(lock_id)
    assert held["keyboardPwdId"] == issued["keyboardPwdId"]
    assert (held["inCloud"], held["onLock"]) == (True, True)
    assert (held["startDate"], held["endDate"]) == (start, end)  # hours truncated
    code = issued["keyboardPwd"]

    assert offline.keypad(lock_id, code) == OUT_OF_WINDOW  # 10:10, before its 12:00
    offline.at(start - 60_000)
    assert offline.keypad(lock_id, code) == OUT_OF_WINDOW
    offline.at(start)
    assert offline.keypad(lock_id, code) == PASSCODE_OK
    offline.at(end - 60_000)
    assert offline.keypad(lock_id, code) == PASSCODE_OK
    offline.at(end)
    assert offline.keypad(lock_id, code) == OUT_OF_WINDOW


def test_a_lock_without_a_gateway_gets_every_random_type(offline: Offline) -> None:
    for passcode_type in (ONE_TIME, PERMANENT, PERIOD):
        issued = offline.get(GARDEN_GATE, passcode_type, TEN, TEN + DAY_MS)
        assert issued["keyboardPwd"].isdigit(), issued
        assert offline.keypad(GARDEN_GATE, issued["keyboardPwd"]) == PASSCODE_OK
    assert [held["onLock"] for held in offline.held(GARDEN_GATE)] == [False, True, True]


# --- one-time codes: once, within 6 hours ---------------------------------------------------


def test_a_one_time_code_opens_once_within_six_hours_of_its_start(offline: Offline) -> None:
    early = offline.get(ROOM_1, ONE_TIME, TEN)["keyboardPwd"]
    late = offline.get(ROOM_1, ONE_TIME, TEN + HOUR_MS)["keyboardPwd"]
    assert early != late

    offline.at(TEN + 6 * HOUR_MS - 60_000)
    assert offline.keypad(ROOM_1, early) == PASSCODE_OK
    assert offline.keypad(ROOM_1, early) == UNKNOWN_CODE  # the lock dropped it
    offline.at(TEN + 7 * HOUR_MS)
    assert offline.keypad(ROOM_1, late) == OUT_OF_WINDOW  # six hours after 11:00, unused


# --- permanent and period codes: used within 24 h of their start, or void --------------------


@pytest.mark.parametrize("passcode_type", [PERMANENT, PERIOD], ids=["permanent", "period"])
def test_a_code_not_used_within_24_hours_of_its_start_is_void(
    offline: Offline, passcode_type: int
) -> None:
    code = offline.get(ROOM_1, passcode_type, TEN, TEN + 3 * DAY_MS)["keyboardPwd"]
    offline.at(TEN + DAY_MS)
    assert offline.keypad(ROOM_1, code) == OUT_OF_WINDOW
    offline.at(TEN + 2 * DAY_MS)
    assert offline.keypad(ROOM_1, code) == OUT_OF_WINDOW
    [held] = offline.held(ROOM_1)
    assert (held["inCloud"], held["onLock"]) == (True, True)  # held, but void


@pytest.mark.parametrize("passcode_type", [PERMANENT, PERIOD], ids=["permanent", "period"])
def test_a_code_used_within_24_hours_stays_valid_to_its_end(
    offline: Offline, passcode_type: int
) -> None:
    end = TEN + 3 * DAY_MS
    code = offline.get(ROOM_1, passcode_type, TEN, end)["keyboardPwd"]
    offline.at(TEN + DAY_MS - 60_000)
    assert offline.keypad(ROOM_1, code) == PASSCODE_OK
    offline.at(TEN + 2 * DAY_MS)
    assert offline.keypad(ROOM_1, code) == PASSCODE_OK
    offline.at(end - 60_000)
    assert offline.keypad(ROOM_1, code) == PASSCODE_OK
    offline.at(end)
    expected_at_end = PASSCODE_OK if passcode_type == PERMANENT else OUT_OF_WINDOW
    assert offline.keypad(ROOM_1, code) == expected_at_end
    if passcode_type == PERMANENT:
        offline.at(end + 365 * DAY_MS)
        assert offline.keypad(ROOM_1, code) == PASSCODE_OK


def test_the_24_hours_count_from_the_start_not_from_the_request(offline: Offline) -> None:
    start = TEN + 3 * DAY_MS
    used = offline.get(ROOM_1, PERIOD, start, start + 3 * DAY_MS)["keyboardPwd"]
    unused = offline.get(ROOM_1, PERIOD, start, start + 4 * DAY_MS)["keyboardPwd"]
    offline.at(start + DAY_MS - 60_000)  # four days after the request
    assert offline.keypad(ROOM_1, used) == PASSCODE_OK
    offline.at(start + DAY_MS)
    assert offline.keypad(ROOM_1, used) == PASSCODE_OK
    assert offline.keypad(ROOM_1, unused) == OUT_OF_WINDOW


def test_the_first_use_rule_holds_on_a_lock_without_a_gateway(offline: Offline) -> None:
    used = offline.get(GARDEN_GATE, PERIOD, TEN, TEN + 3 * DAY_MS)["keyboardPwd"]
    unused = offline.get(GARDEN_GATE, PERMANENT, TEN)["keyboardPwd"]
    assert offline.keypad(GARDEN_GATE, used) == PASSCODE_OK
    offline.at(TEN + 2 * DAY_MS)
    assert offline.keypad(GARDEN_GATE, used) == PASSCODE_OK
    assert offline.keypad(GARDEN_GATE, unused) == OUT_OF_WINDOW


@pytest.mark.parametrize("passcode_type", [PERMANENT, PERIOD], ids=["permanent", "period"])
def test_custom_codes_have_no_first_use_rule(offline: Offline, passcode_type: int) -> None:
    window = {"startDate": TEN, "endDate": TEN + 3 * DAY_MS} if passcode_type == PERIOD else {}
    added = offline.caller.post(
        "/v3/keyboardPwd/add",
        lockId=ROOM_1,
        keyboardPwd="482915",
        keyboardPwdName="Custom guest",
        keyboardPwdType=passcode_type,
        addType=2,
        **window,
    )
    assert "keyboardPwdId" in added, added
    offline.at(TEN + 2 * DAY_MS)
    assert offline.keypad(ROOM_1, "482915") == PASSCODE_OK
    renamed = offline.change(ROOM_1, added["keyboardPwdId"], keyboardPwdName="Renamed")
    assert renamed == SUCCESS  # never refused with -3008 either


# --- -3008: a code never used cannot be changed nor deleted through the gateway -------------


@pytest.mark.parametrize(
    "changes",
    [
        {"keyboardPwdName": "Renamed"},
        {"keyboardPwdName": "Renamed", "changeType": 2},
        {"newKeyboardPwd": "730461", "changeType": 2},
        {"startDate": TEN + HOUR_MS, "endDate": TEN + 2 * DAY_MS, "changeType": 2},
    ],
    ids=["rename", "rename through the gateway", "new code", "new period"],
)
def test_a_random_code_never_used_cannot_be_changed(
    offline: Offline, changes: dict[str, Any]
) -> None:
    issued = offline.get(ROOM_1, PERIOD, TEN, TEN + DAY_MS)
    before = offline.held(ROOM_1)

    refused = offline.change(ROOM_1, issued["keyboardPwdId"], **changes)

    assert refused["errcode"] == -3008
    assert refused["errmsg"] == "A passcode never used on the lock cannot be changed"
    assert offline.held(ROOM_1) == before
    assert offline.keypad(ROOM_1, issued["keyboardPwd"]) == PASSCODE_OK
    assert offline.keypad(ROOM_1, "730461") == UNKNOWN_CODE


@pytest.mark.parametrize("passcode_type", [PERMANENT, PERIOD], ids=["permanent", "period"])
def test_a_random_code_never_used_cannot_be_deleted_through_the_gateway(
    offline: Offline, passcode_type: int
) -> None:
    issued = offline.get(ROOM_1, passcode_type, TEN, TEN + 3 * DAY_MS)
    assert offline.delete(ROOM_1, issued["keyboardPwdId"], 2)["errcode"] == -3008
    offline.at(TEN + DAY_MS)  # void on the lock now, and still never used
    assert offline.delete(ROOM_1, issued["keyboardPwdId"], 2)["errcode"] == -3008
    assert [item["keyboardPwdId"] for item in offline.listed(ROOM_1)] == [issued["keyboardPwdId"]]
    [held] = offline.held(ROOM_1)
    assert (held["inCloud"], held["onLock"]) == (True, True)


def test_a_used_random_code_is_deleted_through_the_gateway_and_the_lock_forgets_it(
    offline: Offline,
) -> None:
    issued = offline.get(ROOM_1, PERIOD, TEN, TEN + DAY_MS)
    assert offline.keypad(ROOM_1, issued["keyboardPwd"]) == PASSCODE_OK

    assert offline.delete(ROOM_1, issued["keyboardPwdId"], 2) == SUCCESS

    assert offline.listed(ROOM_1) == []
    assert offline.held(ROOM_1) == []
    assert offline.keypad(ROOM_1, issued["keyboardPwd"]) == UNKNOWN_CODE
    assert offline.get(ROOM_1, PERIOD, TEN, TEN + DAY_MS)["errcode"] == -1026


def test_a_used_random_code_can_be_changed_again_and_again(offline: Offline) -> None:
    issued = offline.get(ROOM_1, PERIOD, TEN, TEN + DAY_MS)
    code, passcode_id = issued["keyboardPwd"], issued["keyboardPwdId"]
    assert offline.keypad(ROOM_1, code) == PASSCODE_OK
    longer = {"startDate": TEN, "endDate": TEN + 3 * DAY_MS, "changeType": 2}

    assert offline.change(ROOM_1, passcode_id, **longer) == SUCCESS
    assert offline.change(ROOM_1, passcode_id, keyboardPwdName="Stays on") == SUCCESS

    offline.at(TEN + 2 * DAY_MS)
    assert offline.keypad(ROOM_1, code) == PASSCODE_OK  # the lock has the longer period


def test_without_a_gateway_a_never_used_code_is_3008_and_a_used_one_2012(
    offline: Offline,
) -> None:
    unused = offline.get(GARDEN_GATE, PERIOD, TEN, TEN + DAY_MS)
    used = offline.get(GARDEN_GATE, PERMANENT, TEN)
    assert offline.keypad(GARDEN_GATE, used["keyboardPwd"]) == PASSCODE_OK
    assert offline.delete(GARDEN_GATE, unused["keyboardPwdId"], 2)["errcode"] == -3008
    assert offline.delete(GARDEN_GATE, used["keyboardPwdId"], 2)["errcode"] == -2012
    assert len(offline.listed(GARDEN_GATE)) == 2


# --- deleteType 1: the cloud record only ----------------------------------------------------


@pytest.mark.parametrize("lock_id", [ROOM_1, GARDEN_GATE], ids=["with gateway", "no gateway"])
@pytest.mark.parametrize("used_first", [False, True], ids=["never used", "used"])
def test_delete_type_1_forgets_the_cloud_record_and_the_lock_keeps_the_code(
    offline: Offline, lock_id: int, used_first: bool
) -> None:
    end = TEN + 3 * DAY_MS
    issued = offline.get(lock_id, PERIOD, TEN, end)
    code = issued["keyboardPwd"]
    if used_first:
        assert offline.keypad(lock_id, code) == PASSCODE_OK

    assert offline.delete(lock_id, issued["keyboardPwdId"], 1) == SUCCESS

    assert offline.listed(lock_id) == []
    [held] = offline.held(lock_id)
    assert (held["inCloud"], held["onLock"]) == (False, True)
    assert offline.get(lock_id, PERIOD, TEN, end)["errcode"] == -1026
    assert offline.get(lock_id, PERIOD, TEN + 20 * 60_000, end + 59 * 60_000)["errcode"] == -1026
    offline.at(TEN + 12 * HOUR_MS)  # within its first 24 h: it may still be used the first time
    assert offline.keypad(lock_id, code) == PASSCODE_OK
    offline.at(end - 60_000)
    assert offline.keypad(lock_id, code) == PASSCODE_OK
    offline.at(end)
    assert offline.keypad(lock_id, code) == OUT_OF_WINDOW


# --- -1007: no passcode key data ------------------------------------------------------------


def test_a_lock_without_passcode_key_data_answers_1007(start_simulator: StartSimulator) -> None:
    offline = start_offline(start_simulator, offline_scenario(passcode_key_data=False))

    refused = offline.get(GARDEN_GATE, PERIOD, TEN, TEN + DAY_MS)

    assert refused["errcode"] == -1007
    assert "passcode data" in refused["errmsg"]
    assert offline.listed(GARDEN_GATE) == []
    assert offline.held(GARDEN_GATE) == []
    assert "keyboardPwd" in offline.get(ROOM_1, PERIOD, TEN, TEN + DAY_MS)  # other locks: fine
    added = offline.caller.post(
        "/v3/keyboardPwd/add",
        lockId=GARDEN_GATE,
        keyboardPwd="482915",
        keyboardPwdType=3,
        startDate=TEN,
        endDate=TEN + DAY_MS,
    )
    assert "keyboardPwdId" in added  # custom codes do not need the key data


def test_passcode_key_data_is_read_from_a_scenario_file(
    start_simulator: StartSimulator, tmp_path: Path
) -> None:
    path = tmp_path / "no-key-data.toml"
    path.write_text(
        '[clock]\nstart = "2026-11-22T10:10:00Z"\n'
        '[[apps]]\nclient_id = "demo-client-id"\nclient_secret = "demo-client-secret"\n'
        '[[users]]\nusername = "demo@example.com"\npassword = "demo-password"\n'
        f'[[locks]]\nid = {MAIN_ENTRANCE}\nalias = "Main entrance"\nmac = "ED:AE:90:63:CE:01"\n'
        "passcode_key_data = false\n"
    )
    scenario = load_scenario(path)
    assert scenario.locks[0].passcode_key_data is False
    assert default_scenario().locks[0].passcode_key_data is True

    offline = start_offline(start_simulator, scenario)

    assert offline.get(MAIN_ENTRANCE, PERMANENT, TEN)["errcode"] == -1007


# --- listKeyboardPwd ------------------------------------------------------------------------


@pytest.mark.parametrize("lock_id", [ROOM_1, GARDEN_GATE], ids=["with gateway", "no gateway"])
def test_random_codes_are_listed_with_their_type_not_custom_and_whole_hours(
    offline: Offline, lock_id: int
) -> None:
    start, end = TEN + 2 * HOUR_MS, TEN + 5 * HOUR_MS
    issued = {
        passcode_type: offline.get(lock_id, passcode_type, start + 20 * 60_000, end + 40 * 60_000)
        for passcode_type in (ONE_TIME, PERMANENT, PERIOD)
    }

    listed = {item["keyboardPwdId"]: item for item in offline.listed(lock_id)}

    assert len(listed) == 3
    expected_ends = {ONE_TIME: start + 6 * HOUR_MS, PERMANENT: 0, PERIOD: end}
    for passcode_type, answer in issued.items():
        item = listed[answer["keyboardPwdId"]]
        assert item["keyboardPwd"] == answer["keyboardPwd"]
        assert item["keyboardPwdType"] == passcode_type
        assert item["isCustom"] == 0
        assert item["keyboardPwdName"] == f"Guest type {passcode_type}"
        assert (item["startDate"], item["endDate"]) == (start, expected_ends[passcode_type])
