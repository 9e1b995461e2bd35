"""Locks, gateways and remote commands through the simulated gateway, over HTTP."""

import asyncio
import time

import httpx

from conftest import RunningSimulator, StartSimulator
from simulator.client import GATEWAY, MAIN_ENTRANCE, ROOM_1, Caller
from ttlock_bridge.simulator import default_scenario
from ttlock_bridge.simulator.scenario import GatewayConfig, LockConfig, Settings

SUCCESS = {"errcode": 0, "errmsg": "none error message or means yes", "description": "表示成功或是"}


def test_lock_list_is_a_page_of_the_seven_hotel_locks(simulator: RunningSimulator) -> None:
    page = Caller(simulator).get("/v3/lock/list", pageNo=1, pageSize=20)
    assert list(page) == ["total", "pages", "pageNo", "pageSize", "list"]
    assert (page["total"], page["pages"], page["pageNo"], page["pageSize"]) == (7, 1, 1, 20)
    aliases = [lock["lockAlias"] for lock in page["list"]]
    assert aliases == ["Main entrance", *(f"Room {n}" for n in range(1, 7))]
    main = page["list"][0]
    assert main["lockName"] == "S202F_01ce63"
    assert main["hasGateway"] == 1


def test_lock_list_pages_and_filters_by_alias(simulator: RunningSimulator) -> None:
    caller = Caller(simulator)
    second = caller.get("/v3/lock/list", pageNo=2, pageSize=3)
    assert (second["total"], second["pages"], len(second["list"])) == (7, 3, 3)
    assert caller.get("/v3/lock/list", lockAlias="room 4")["total"] == 1
    empty = caller.get("/v3/lock/list", lockAlias="garage")
    assert empty == {"total": 0, "pages": 0, "pageNo": 1, "pageSize": 20, "list": []}


def test_lock_detail_has_every_documented_field_with_its_type(simulator: RunningSimulator) -> None:
    detail = Caller(simulator).get("/v3/lock/detail", lockId=MAIN_ENTRANCE)
    strings = ["lockName", "lockAlias", "lockMac", "noKeyPwd", "featureValue", "modelNum"]
    strings += ["hardwareRevision", "firmwareRevision"]
    integers = ["lockId", "electricQuantity", "timezoneRawOffset", "autoLockTime", "lockSound"]
    integers += ["soundVolume", "hasGateway", "privacyLock", "tamperAlert", "resetButton"]
    integers += ["openDirection", "passageMode", "passageModeAutoUnlock", "date"]
    assert all(isinstance(detail[name], str) for name in strings)
    assert all(type(detail[name]) is int for name in integers)
    assert detail["lockMac"] == "ED:AE:90:63:CE:01"
    assert detail["electricQuantity"] == 87
    assert detail["timezoneRawOffset"] == 3_600_000
    feature_bits = int(detail["featureValue"], 16)
    assert feature_bits >> 10 & 1  # unlock via gateway
    assert "errcode" not in detail


def test_unknown_lock_is_refused(simulator: RunningSimulator) -> None:
    assert Caller(simulator).get("/v3/lock/detail", lockId=42)["errcode"] == -1003


def test_remote_unlock_and_lock_change_the_open_state_and_make_records(
    simulator: RunningSimulator,
) -> None:
    caller = Caller(simulator)
    assert caller.post("/v3/lock/unlock", lockId=ROOM_1) == SUCCESS
    assert caller.get("/v3/lock/queryOpenState", lockId=ROOM_1) == {"state": 1}
    assert caller.post("/v3/lock/lock", lockId=ROOM_1) == SUCCESS
    assert caller.get("/v3/lock/queryOpenState", lockId=ROOM_1) == {"state": 0}
    records = caller.get("/v3/lockRecord/list", lockId=ROOM_1, pageNo=1, pageSize=20)["list"]
    assert [(r["recordTypeFromLock"], r["recordType"]) for r in records] == [(52, 11), (28, 12)]
    assert records[1]["username"] == "demo@example.com"


def test_unlocked_lock_relocks_after_its_auto_lock_time(simulator: RunningSimulator) -> None:
    caller = Caller(simulator)
    caller.post("/v3/lock/unlock", lockId=ROOM_1)
    simulator.control("clock", {"advance_ms": 6_000})
    caller.date_offset_ms = 6_000
    assert caller.get("/v3/lock/queryOpenState", lockId=ROOM_1) == {"state": 0}


def test_battery_and_lock_clock_are_read_through_the_gateway(simulator: RunningSimulator) -> None:
    caller = Caller(simulator)
    simulator.control(f"locks/{ROOM_1}", {"battery": 12})
    assert caller.get("/v3/lock/queryElectricQuantity", lockId=ROOM_1) == {"electricQuantity": 12}
    now_ms = simulator.state()["now_ms"]
    assert abs(caller.get("/v3/lock/queryDate", lockId=ROOM_1)["date"] - now_ms) < 60_000
    assert abs(caller.post("/v3/lock/updateDate", lockId=ROOM_1)["date"] - now_ms) < 60_000


def test_gateway_problems_give_their_errcodes(simulator: RunningSimulator) -> None:
    caller = Caller(simulator)
    simulator.control(f"locks/{ROOM_1}", {"remoteUnlock": False})
    assert caller.post("/v3/lock/unlock", lockId=ROOM_1)["errcode"] == -4043
    assert caller.post("/v3/lock/lock", lockId=ROOM_1) == SUCCESS
    simulator.control(f"gateways/{GATEWAY}", {"online": False})
    assert caller.post("/v3/lock/lock", lockId=ROOM_1)["errcode"] == -3002
    simulator.control(f"locks/{ROOM_1}", {"gateway": None})
    assert caller.post("/v3/lock/lock", lockId=ROOM_1)["errcode"] == -2012
    assert caller.get("/v3/lock/detail", lockId=ROOM_1)["hasGateway"] == 0
    assert caller.get("/v3/gateway/listByLock", lockId=ROOM_1) == {"list": []}


async def test_a_second_command_while_one_is_in_flight_is_busy(
    start_simulator: StartSimulator,
) -> None:
    running = start_simulator(latency_ms=400)
    caller = Caller(running)
    async with httpx.AsyncClient(base_url=running.base_url) as client:
        first = asyncio.create_task(
            client.post("/v3/lock/unlock", data=caller.signed({"lockId": ROOM_1}))
        )
        await asyncio.sleep(0.1)
        second = await client.post("/v3/lock/lock", data=caller.signed({"lockId": ROOM_1}))
        other_lock = await client.post("/v3/lock/lock", data=caller.signed({"lockId": 1_000_003}))
        assert second.json()["errcode"] == -3003
        assert other_lock.json() == SUCCESS
        assert (await first).json() == SUCCESS


def test_remote_commands_take_the_configured_latency(start_simulator: StartSimulator) -> None:
    running = start_simulator(latency_ms=300)
    caller = Caller(running)
    started = time.monotonic()
    assert caller.post("/v3/lock/unlock", lockId=ROOM_1) == SUCCESS
    assert time.monotonic() - started >= 0.3
    running.control("settings", {"latency_ms": 0})
    caller.get("/v3/lock/detail", lockId=ROOM_1)


def test_transient_failures_follow_the_configured_rate(simulator: RunningSimulator) -> None:
    caller = Caller(simulator)
    simulator.control("settings", {"transient_error_rate": 1.0})
    failed = caller.post("/v3/lock/unlock", lockId=ROOM_1)
    assert failed == {"errcode": 1, "errmsg": "failed or means no", "description": "表示失败或否"}
    assert caller.get("/v3/lock/detail", lockId=ROOM_1)["lockId"] == ROOM_1
    simulator.control("settings", {"transient_error_rate": 0.5})
    outcomes = [caller.post("/v3/lock/lock", lockId=ROOM_1)["errcode"] for _ in range(30)]
    assert set(outcomes) == {0, 1}


def test_gateway_lists(simulator: RunningSimulator) -> None:
    caller = Caller(simulator)
    gateways = caller.get("/v3/gateway/list", pageNo=1, pageSize=20)
    assert gateways["total"] == 1
    gateway = gateways["list"][0]
    assert gateway["gatewayName"] == "G2_743985"
    assert (gateway["gatewayId"], gateway["lockNum"], gateway["isOnline"]) == (GATEWAY, 7, 1)
    by_lock = caller.get("/v3/gateway/listByLock", lockId=MAIN_ENTRANCE)
    assert list(by_lock) == ["list"]
    assert by_lock["list"][0]["gatewayMac"] == "DC:A4:53:85:39:74"


def test_passage_mode_round_trips_in_the_legacy_flat_shape(simulator: RunningSimulator) -> None:
    caller = Caller(simulator)
    assert caller.get("/v3/lock/getPassageModeConfig", lockId=ROOM_1)["passageMode"] == 2
    configured = caller.post(
        "/v3/lock/configPassageMode",
        lockId=ROOM_1,
        passageMode=1,
        startDate=480,
        endDate=1080,
        isAllDay=2,
        weekDays="[1,2,3,4,5]",
        autoUnlock=1,
        type=2,
    )
    assert configured == SUCCESS
    assert caller.get("/v3/lock/getPassageModeConfig", lockId=ROOM_1) == {
        "passageMode": 1,
        "startDate": 480,
        "endDate": 1080,
        "isAllDay": 2,
        "weekDays": [1, 2, 3, 4, 5],
        "autoUnlock": 1,
    }
    assert caller.get("/v3/lock/detail", lockId=ROOM_1)["passageMode"] == 1
    bad = caller.post("/v3/lock/configPassageMode", lockId=ROOM_1, passageMode=1, weekDays="[1,")
    assert bad["errcode"] == 80002


def test_cards_and_fingerprints_are_empty_pages(simulator: RunningSimulator) -> None:
    caller = Caller(simulator)
    empty = {"total": 0, "pages": 0, "pageNo": 1, "pageSize": 20, "list": []}
    assert caller.get("/v3/identityCard/list", lockId=ROOM_1, pageNo=1, pageSize=20) == empty
    assert caller.get("/v3/fingerprint/list", lockId=ROOM_1, pageNo=1, pageSize=20) == empty


def test_a_custom_scenario_without_gateway_and_with_another_admin(
    start_simulator: StartSimulator,
) -> None:
    scenario = default_scenario().model_copy(
        update={
            "settings": Settings(token_expires_in=60),
            "gateways": [GatewayConfig(id=9, mac="11:22:33:44:55:66", online=False)],
            "locks": [
                LockConfig(id=1, alias="Shed", mac="16:72:4C:CC:01:C4", model="S31"),
                LockConfig(id=2, alias="Gate", mac="16:72:4C:CC:01:C5", gateway=9),
            ],
        }
    )
    running = start_simulator(scenario)
    caller = Caller(running)
    assert caller.get("/v3/lock/detail", lockId=1)["lockName"] == "S31_c401cc"
    assert caller.post("/v3/lock/unlock", lockId=1)["errcode"] == -2012
    assert caller.post("/v3/lock/unlock", lockId=2)["errcode"] == -3002
    assert running.state()["gateways"][0]["online"] is False
