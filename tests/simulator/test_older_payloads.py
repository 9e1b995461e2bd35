"""Payloads as real locks send them (issue 11): a lock with `payloads = "older"` answers as the
captures of older locks show, a lock's records follow its own clock, and `reuse_tokens` hands a
second login the token still valid. Over real HTTP, callbacks to a local receiver."""

import json
from typing import Any

from conftest import RunningSimulator, StartSimulator
from simulator.client import MAIN_ENTRANCE, ROOM_1, Caller, login
from simulator.test_records_and_callbacks import Receiver, receiver, wait_for, with_callback
from ttlock_bridge.simulator import Scenario, default_scenario
from ttlock_bridge.simulator.scenario import Settings

__all__ = ["receiver"]  # the fixture, imported so pytest finds it here

DAY_MS = 24 * 3_600_000
FRESH_TOKEN_S = 7_776_000


def with_room_1(scenario: Scenario, **changes: Any) -> Scenario:
    locks = [
        lock.model_copy(update=changes) if lock.id == ROOM_1 else lock for lock in scenario.locks
    ]
    return scenario.model_copy(update={"locks": locks})


def older_room_1(scenario: Scenario | None = None, **changes: Any) -> Scenario:
    return with_room_1(scenario or default_scenario(), payloads="older", **changes)


def start_older(start_simulator: StartSimulator, **changes: Any) -> RunningSimulator:
    return start_simulator(older_room_1(**changes))


# --- lock/detail ----------------------------------------------------------------------------


def test_an_older_lock_detail_has_no_auto_lock_time_and_unknown_flags(
    start_simulator: StartSimulator,
) -> None:
    caller = Caller(start_older(start_simulator))

    older = caller.get("/v3/lock/detail", lockId=ROOM_1)
    current = caller.get("/v3/lock/detail", lockId=MAIN_ENTRANCE)

    assert "autoLockTime" not in older
    flags = ("lockSound", "privacyLock", "tamperAlert", "resetButton")
    assert [older[flag] for flag in flags] == [0, 0, 0, 0]
    assert current["autoLockTime"] == 5
    assert [current[flag] for flag in flags] == [1, 2, 1, 1]
    assert older["lockMac"] == "ED:AE:90:63:11:02"  # everything else as before


def test_an_older_lock_still_relocks_after_its_auto_lock_time(
    start_simulator: StartSimulator,
) -> None:
    running = start_older(start_simulator)
    caller = Caller(running)
    caller.post("/v3/lock/unlock", lockId=ROOM_1)
    assert caller.get("/v3/lock/queryOpenState", lockId=ROOM_1) == {"state": 1}

    running.control("clock", {"advance_ms": 6_000})
    caller.date_offset_ms = 6_000

    assert caller.get("/v3/lock/queryOpenState", lockId=ROOM_1) == {"state": 0}


# --- passage mode ---------------------------------------------------------------------------


def test_an_older_lock_never_configured_answers_passage_mode_with_nulls_and_gaps(
    start_simulator: StartSimulator,
) -> None:
    caller = Caller(start_older(start_simulator))

    assert caller.get("/v3/lock/getPassageModeConfig", lockId=ROOM_1) == {
        "passageMode": 2,
        "startDate": None,
        "endDate": None,
        "autoUnlock": 2,
    }
    assert "isAllDay" in caller.get("/v3/lock/getPassageModeConfig", lockId=MAIN_ENTRANCE)

    caller.post(
        "/v3/lock/configPassageMode", lockId=ROOM_1, passageMode=1, isAllDay=1, weekDays="[6,7]"
    )
    assert caller.get("/v3/lock/getPassageModeConfig", lockId=ROOM_1) == {
        "passageMode": 1,
        "isAllDay": 1,
        "weekDays": [6, 7],
        "autoUnlock": 2,
    }


# --- records --------------------------------------------------------------------------------


def test_older_lock_records_have_no_ids_and_no_username_but_on_passcodes(
    start_simulator: StartSimulator,
) -> None:
    running = start_older(start_simulator)
    caller = Caller(running)
    caller.post(
        "/v3/keyboardPwd/add",
        lockId=ROOM_1,
        keyboardPwd="583190",
        keyboardPwdName="Guest R1",
        keyboardPwdType=2,
        addType=2,
    )
    caller.post("/v3/lock/unlock", lockId=ROOM_1)
    running.control(f"locks/{ROOM_1}/keypad", {"code": "583190"})
    running.control(f"locks/{ROOM_1}/keypad", {"code": "24681357"})

    listed = caller.get("/v3/lockRecord/list", lockId=ROOM_1)["list"]

    assert [item["recordType"] for item in listed] == [4, 4, 12]
    assert all(list(item) == LISTED_FIELDS for item in listed)
    assert [item["username"] for item in listed] == [None, "Guest R1", None]
    assert [item["success"] for item in listed] == [0, 1, 1]
    assert [item["lockDate"] % 1000 for item in listed] == [0, 0, 0]
    kept = running.state()["records"]  # the simulated world still knows every field
    assert all(record["recordId"] and record["recordTypeFromLock"] for record in kept)


LISTED_FIELDS = ["lockId", "recordType", "success", "username", "keyboardPwd", "lockDate"]
LISTED_FIELDS += ["serverDate"]


def test_a_current_lock_lists_every_record_field(simulator: RunningSimulator) -> None:
    caller = Caller(simulator)
    caller.post("/v3/lock/unlock", lockId=ROOM_1)

    [item] = caller.get("/v3/lockRecord/list", lockId=ROOM_1)["list"]

    assert item["recordId"] > 0
    assert (item["recordTypeFromLock"], item["username"]) == (28, "demo@example.com")


def test_an_older_lock_posts_callbacks_without_record_id(
    start_simulator: StartSimulator, receiver: tuple[Receiver, str]
) -> None:
    received, url = receiver
    running = start_simulator(older_room_1(with_callback(url)))
    Caller(running).post("/v3/lock/unlock", lockId=ROOM_1)
    wait_for(lambda: len(received.forms) == 1)

    [record] = json.loads(received.forms[0]["records"])

    assert "recordId" not in record
    assert (record["recordTypeFromLock"], record["recordType"]) == (28, 12)
    assert record["username"] == "demo@example.com"
    assert record["lockDate"] % 1000 == 0
    assert 0 <= record["serverDate"] - record["lockDate"] < 1_000


def test_a_lock_whose_clock_runs_a_minute_ahead_dates_its_records_by_it(
    start_simulator: StartSimulator, receiver: tuple[Receiver, str]
) -> None:
    received, url = receiver
    running = start_simulator(older_room_1(with_callback(url), clock_drift_ms=60_000))
    caller = Caller(running)
    lock_clock_ms = caller.get("/v3/lock/queryDate", lockId=ROOM_1)["date"]
    assert abs(lock_clock_ms - now(running) - 60_000) < 5_000

    caller.post("/v3/lock/unlock", lockId=ROOM_1)
    running.control(f"locks/{MAIN_ENTRANCE}", {"clockDriftMs": -120_000})  # via the control API
    caller.post("/v3/lock/unlock", lockId=MAIN_ENTRANCE)
    wait_for(lambda: len(received.forms) == 2)

    posted = {
        record["lockId"]: record
        for form in received.forms
        for record in json.loads(form["records"])
    }
    ahead, behind = posted[ROOM_1], posted[MAIN_ENTRANCE]
    assert 59_000 < ahead["lockDate"] - ahead["serverDate"] <= 60_000  # serverDate earlier
    assert -121_000 < behind["lockDate"] - behind["serverDate"] <= -120_000
    assert ahead["lockDate"] % 1000 == behind["lockDate"] % 1000 == 0
    listed = caller.get("/v3/lockRecord/list", lockId=ROOM_1)["list"]
    assert listed[0]["lockDate"] == ahead["lockDate"]


def now(running: RunningSimulator) -> int:
    value: int = running.state()["now_ms"]
    return value


def test_the_last_callback_can_be_delivered_again_unchanged(
    start_simulator: StartSimulator, receiver: tuple[Receiver, str]
) -> None:
    received, url = receiver
    running = start_simulator(older_room_1(with_callback(url)))
    assert running.control("callbacks/redeliver") == {"redelivered": False}
    Caller(running).post("/v3/lock/unlock", lockId=ROOM_1)
    wait_for(lambda: len(received.forms) == 1)

    assert running.control("callbacks/redeliver") == {"redelivered": True}

    wait_for(lambda: len(received.forms) == 2)
    assert received.forms[0] == received.forms[1]
    assert running.state()["callbacks"] == {"delivered": 2, "failed": 0}


# --- battery --------------------------------------------------------------------------------


def test_the_lock_list_dates_each_battery_reading_when_it_was_read(
    start_simulator: StartSimulator,
) -> None:
    scenario = older_room_1()
    locks = [
        lock.model_copy(update={"battery_read_days_ago": 3}) if lock.id == ROOM_1 + 1 else lock
        for lock in scenario.locks
    ]
    running = start_simulator(scenario.model_copy(update={"locks": locks}))
    caller = Caller(running)
    started_ms = now(running)

    listed = {lock["lockId"]: lock for lock in caller.get("/v3/lock/list")["list"]}

    def days_old(lock_id: int) -> float:
        read_at_ms: int = listed[lock_id]["electricQuantityUpdateDate"]
        return round((started_ms - read_at_ms) / DAY_MS, 2)

    assert days_old(ROOM_1) == 6.0  # an older lock: the battery was read days ago
    assert days_old(MAIN_ENTRANCE) == 1.0
    assert days_old(ROOM_1 + 1) == 3.0  # the scenario says when
    running.control(f"locks/{ROOM_1}", {"battery": 40})  # a new reading is dated now
    fresh = next(lock for lock in caller.get("/v3/lock/list")["list"] if lock["lockId"] == ROOM_1)
    assert abs(fresh["electricQuantityUpdateDate"] - now(running)) < 5_000


# --- tokens ---------------------------------------------------------------------------------


def test_with_reuse_tokens_a_second_login_gets_the_same_token_with_the_seconds_left(
    start_simulator: StartSimulator,
) -> None:
    scenario = default_scenario()
    running = start_simulator(scenario.model_copy(update={"settings": Settings(reuse_tokens=True)}))
    first = login(running.base_url)
    running.control("clock", {"advance_ms": 30 * DAY_MS})

    second = login(running.base_url)

    assert (second["access_token"], second["refresh_token"]) == (
        first["access_token"],
        first["refresh_token"],
    )
    assert first["expires_in"] == FRESH_TOKEN_S
    assert FRESH_TOKEN_S - 30 * 86_400 - 5 <= second["expires_in"] <= FRESH_TOKEN_S - 30 * 86_400
    assert running.state()["token_grants"] == {"password": 2, "refresh_token": 0}


def test_with_reuse_tokens_an_expired_or_refreshed_token_is_not_handed_out_again(
    start_simulator: StartSimulator,
) -> None:
    scenario = default_scenario()
    running = start_simulator(scenario.model_copy(update={"settings": Settings(reuse_tokens=True)}))
    first = login(running.base_url)
    running.control("tokens/expire")
    second = login(running.base_url)
    refreshed = running.http.post(
        f"{running.base_url}/oauth2/token",
        data={
            "clientId": "demo-client-id",
            "clientSecret": "demo-client-secret",
            "grant_type": "refresh_token",
            "refresh_token": second["refresh_token"],
        },
    ).json()

    third = login(running.base_url)

    assert second["access_token"] != first["access_token"]
    assert second["expires_in"] == FRESH_TOKEN_S
    assert third["access_token"] == refreshed["access_token"] != second["access_token"]


def test_without_reuse_tokens_every_login_mints_a_new_token(simulator: RunningSimulator) -> None:
    first, second = login(simulator.base_url), login(simulator.base_url)

    assert first["access_token"] != second["access_token"]
    assert second["expires_in"] == FRESH_TOKEN_S
