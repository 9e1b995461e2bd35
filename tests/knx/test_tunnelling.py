"""End to end over a real knxd: the panel writes a room block and fires the trigger, the bridge
issues the grant on the simulated locks and writes the result back, as telegrams."""

from __future__ import annotations

import asyncio
import datetime
import logging
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from ttlock_bridge.channels.knx.dpt import Dpt, Value
from ttlock_bridge.locks import LockNews

from .conftest import Bridge
from .panel import Panel
from .site import MAIN_ENTRANCE, ROOM_1

ZONE = ZoneInfo("Europe/Athens")
TRIGGER, CODE, NAME = "1/1/0", "1/1/1", "1/1/2"
FROM_DATE, FROM_TIME, TO_DATE, TO_TIME = "1/1/3", "1/1/4", "1/1/5", "1/1/6"
GRANT_ID, STATUS = "1/1/8", "1/1/9"


def today() -> datetime.date:
    return datetime.datetime.now(ZONE).date()


def days_from_today(days: int) -> datetime.date:
    return today() + datetime.timedelta(days=days)


def set_stay(
    panel: Panel,
    arrive: datetime.date,
    depart: datetime.date,
    code: str = "",
    *,
    write: bool = True,
) -> None:
    """What the front desk does on the touch panel (or, with write=False, what it holds)."""
    put = panel.write if write else panel.hold
    put(CODE, Dpt.TEXT, code)
    put(FROM_DATE, Dpt.DATE, arrive)
    put(FROM_TIME, Dpt.TIME, datetime.time(14, 0))
    put(TO_DATE, Dpt.DATE, depart)
    put(TO_TIME, Dpt.TIME, datetime.time(10, 30))


async def final_status(panel: Panel) -> Value:
    """The status after BUSY: every trigger 1 first writes BUSY, then its outcome."""
    assert await panel.next_value(STATUS, Dpt.TEXT) == "BUSY"
    return await panel.next_value(STATUS, Dpt.TEXT)


def passcodes_on(bridge: Bridge, lock_id: int) -> list[dict[str, Any]]:
    locks = bridge.simulator.state()["locks"]
    lock = next(lock for lock in locks if lock["lockId"] == lock_id)
    passcodes: list[dict[str, Any]] = lock["passcodes"]
    return passcodes


async def test_the_trigger_issues_a_code_for_the_room_and_the_main_entrance(
    bridge: Bridge, panel: Panel
) -> None:
    arrive, depart = days_from_today(1), days_from_today(3)
    set_stay(panel, arrive, depart)
    panel.write(TRIGGER, Dpt.SWITCH, True)

    assert await final_status(panel) == "OK 2 DOORS"
    code = await panel.next_value(CODE, Dpt.TEXT)
    assert isinstance(code, str)
    assert code.isdigit()
    assert len(code) == 6
    name = await panel.next_value(NAME, Dpt.TEXT)
    assert name == f"R1 {arrive:%d%m}-{depart:%d%m}"
    grant_id = await panel.next_value(GRANT_ID, Dpt.COUNT)

    assert isinstance(grant_id, int)
    grant = await bridge.access.grants.get(grant_id)
    assert grant.code == code
    assert grant.start_local == f"{arrive.isoformat()} 14:00"
    assert grant.end_local == f"{depart.isoformat()} 10:30"
    for lock_id in (ROOM_1, MAIN_ENTRANCE):
        assert [entry["keyboardPwd"] for entry in passcodes_on(bridge, lock_id)] == [code]


async def test_values_never_seen_are_read_from_the_panel(bridge: Bridge, panel: Panel) -> None:
    set_stay(panel, days_from_today(0), days_from_today(2), code="583921", write=False)
    panel.write(TRIGGER, Dpt.SWITCH, True)

    assert await final_status(panel) == "OK 2 DOORS"
    assert await panel.next_value(CODE, Dpt.TEXT) == "583921"
    assert {CODE, FROM_DATE, FROM_TIME, TO_DATE, TO_TIME} <= set(panel.reads)
    assert [entry["keyboardPwd"] for entry in passcodes_on(bridge, ROOM_1)] == ["583921"]


async def test_the_trigger_again_modifies_the_rooms_grant(bridge: Bridge, panel: Panel) -> None:
    set_stay(panel, days_from_today(1), days_from_today(3))
    panel.write(TRIGGER, Dpt.SWITCH, True)
    assert await final_status(panel) == "OK 2 DOORS"
    first_id = await panel.next_value(GRANT_ID, Dpt.COUNT)
    code = await panel.next_value(CODE, Dpt.TEXT)
    arrive = days_from_today(1)
    assert await panel.next_value(NAME, Dpt.TEXT) == f"R1 {arrive:%d%m}-{days_from_today(3):%d%m}"

    later = days_from_today(5)
    panel.write(TO_DATE, Dpt.DATE, later)
    panel.write(TRIGGER, Dpt.SWITCH, True)

    assert await final_status(panel) == "OK CHANGED"
    assert await panel.next_value(GRANT_ID, Dpt.COUNT) == first_id
    assert await panel.next_value(CODE, Dpt.TEXT) == code
    assert await panel.next_value(NAME, Dpt.TEXT) == f"R1 {arrive:%d%m}-{later:%d%m}"
    grants = await bridge.access.grants.find(room="room-1")
    assert [grant.end_local for grant in grants] == [f"{later.isoformat()} 10:30"]
    assert len(passcodes_on(bridge, ROOM_1)) == 1


async def test_the_next_guests_stay_gets_its_own_grant_and_code(
    bridge: Bridge, panel: Panel
) -> None:
    # The issue's input: the room holds a stay; the panel issues the next guest's stay, which
    # starts the day the current one ends (15:00 after a 10:30 departure), and triggers.
    set_stay(panel, days_from_today(1), days_from_today(3))
    panel.write(TRIGGER, Dpt.SWITCH, True)
    assert await final_status(panel) == "OK 2 DOORS"
    first_id = await panel.next_value(GRANT_ID, Dpt.COUNT)
    first_code = await panel.next_value(CODE, Dpt.TEXT)
    first_name = await panel.next_value(NAME, Dpt.TEXT)

    # The desk sets the new dates only: the code object still shows the current guest's code.
    panel.write(FROM_DATE, Dpt.DATE, days_from_today(3))
    panel.write(FROM_TIME, Dpt.TIME, datetime.time(15, 0))
    panel.write(TO_DATE, Dpt.DATE, days_from_today(5))
    panel.write(TRIGGER, Dpt.SWITCH, True)

    assert await final_status(panel) == "OK NEXT STAY"
    next_id = await panel.next_value(GRANT_ID, Dpt.COUNT)
    next_code = await panel.next_value(CODE, Dpt.TEXT)
    assert isinstance(first_id, int)
    assert isinstance(next_id, int)
    assert next_id != first_id
    assert next_code != first_code
    current = await bridge.access.grants.get(first_id)
    assert (current.code, current.end_local) == (first_code, f"{days_from_today(3)} 10:30")
    following = await bridge.access.grants.get(next_id)
    assert following.start_local == f"{days_from_today(3)} 15:00"
    for lock_id in (ROOM_1, MAIN_ENTRANCE):
        held = sorted(entry["keyboardPwd"] for entry in passcodes_on(bridge, lock_id))
        assert held == sorted([first_code, next_code])
    assert first_name != await panel.next_value(NAME, Dpt.TEXT)

    # Changing the next stay's dates (they overlap it) changes that grant, not a third one.
    panel.write(TO_DATE, Dpt.DATE, days_from_today(6))
    panel.write(TRIGGER, Dpt.SWITCH, True)
    assert await final_status(panel) == "OK CHANGED"
    assert await panel.next_value(GRANT_ID, Dpt.COUNT) == next_id
    assert len(await bridge.access.grants.find(room="room-1")) == 2


async def test_a_room_door_without_gateway_shows_its_code_and_the_entrances_in_the_name(
    bridge: Bridge, panel: Panel
) -> None:
    bridge.simulator.control(f"locks/{ROOM_1}", {"gateway": None})  # an `auto` door: offline
    set_stay(panel, days_from_today(1), days_from_today(3))
    panel.write(TRIGGER, Dpt.SWITCH, True)

    assert await final_status(panel) == "OK 2 DOORS"
    room_code = await panel.next_value(CODE, Dpt.TEXT)
    entrance_shown = await panel.next_value(NAME, Dpt.TEXT)
    [on_room] = [entry["keyboardPwd"] for entry in passcodes_on(bridge, ROOM_1)]
    [on_entrance] = [entry["keyboardPwd"] for entry in passcodes_on(bridge, MAIN_ENTRANCE)]
    assert room_code == on_room != on_entrance
    assert entrance_shown == f"MAIN {on_entrance}"

    # Its dates are part of the offline code: a change is refused with its own word.
    panel.write(TO_DATE, Dpt.DATE, days_from_today(5))
    panel.write(TRIGGER, Dpt.SWITCH, True)
    assert await final_status(panel) == "ERR OFFLINE"
    [grant] = await bridge.access.grants.find(room="room-1")
    assert grant.end_local == f"{days_from_today(3)} 10:30"


@pytest.mark.parametrize(
    ("stay", "code", "word"),
    [
        ((3, 1), "", "ERR DATES"),  # departure before arrival
        ((-5, -2), "", "ERR PAST"),
        ((1, 3), "583", "ERR CODE"),
        ((1, 3), "1234", "ERR CODE"),  # too simple
    ],
)
async def test_bad_input_gets_its_status_word_and_changes_nothing(
    bridge: Bridge, panel: Panel, stay: tuple[int, int], code: str, word: str
) -> None:
    set_stay(panel, days_from_today(stay[0]), days_from_today(stay[1]), code)
    panel.write(TRIGGER, Dpt.SWITCH, True)

    assert await final_status(panel) == word
    assert panel.pending(CODE) == 0
    assert panel.pending(GRANT_ID) == 0
    assert passcodes_on(bridge, ROOM_1) == []
    assert passcodes_on(bridge, MAIN_ENTRANCE) == []
    assert await bridge.access.grants.find(include_inactive=True) == []


async def test_no_dates_ever_sent_is_reported_without_asking_the_cloud(
    bridge: Bridge, panel: Panel
) -> None:
    panel.write(TRIGGER, Dpt.SWITCH, True)

    assert await final_status(panel) == "ERR NO DATES"
    assert {FROM_DATE, TO_DATE} <= set(panel.reads)
    assert bridge.simulator.state()["calls"] == {}


async def test_trigger_off_puts_a_fresh_code_on_the_panel_only(
    bridge: Bridge, panel: Panel
) -> None:
    panel.write(TRIGGER, Dpt.SWITCH, False)

    code = await panel.next_value(CODE, Dpt.TEXT)
    assert isinstance(code, str)
    assert len(code) == 6
    assert code.isdigit()
    assert await panel.next_value(STATUS, Dpt.TEXT) == "NEW CODE"
    assert bridge.simulator.state()["calls"] == {}

    # The fresh code is what trigger 1 then issues.
    set_stay(panel, days_from_today(1), days_from_today(2), code)
    panel.write(TRIGGER, Dpt.SWITCH, True)
    assert await final_status(panel) == "OK 2 DOORS"
    assert [entry["keyboardPwd"] for entry in passcodes_on(bridge, ROOM_1)] == [code]


async def test_lock_news_reaches_the_door_objects(bridge: Bridge, panel: Panel) -> None:
    await bridge.channel.publish(
        LockNews(lock_id=ROOM_1, door=None, bolt="unlocked", battery=64, event_text="PIN R1")
    )

    assert await panel.next_value("3/1/0", Dpt.SWITCH) is False
    assert await panel.next_value("3/1/1", Dpt.PERCENT) == 64
    assert await panel.next_value("3/1/2", Dpt.TEXT) == "PIN R1"


async def test_status_says_connected_and_where(bridge: Bridge) -> None:
    status = bridge.channel.status()
    assert status.name == "knx"
    assert status.ready
    assert status.detail.startswith("connected (tunneling to 127.0.0.1:")


async def test_debug_logs_never_show_the_passcode(
    bridge: Bridge, panel: Panel, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    set_stay(panel, days_from_today(1), days_from_today(2), code="583921")
    panel.write(TRIGGER, Dpt.SWITCH, True)
    assert await final_status(panel) == "OK 2 DOORS"

    logged = caplog.text.lower()
    assert caplog.records
    assert "583921" not in logged
    assert b"583921".hex() not in logged  # raw frames
    assert ",".join(f"0x{byte:x}" for byte in b"583921") not in logged  # xknx's DPTArray


async def test_a_write_to_the_unlock_object_opens_the_door_through_the_gateway(
    bridge: Bridge, panel: Panel
) -> None:
    panel.write("3/1/3", Dpt.SWITCH, True)

    for _ in range(250):
        records = bridge.simulator.state()["records"]
        if any(record["lockId"] == ROOM_1 for record in records):
            break
        await asyncio.sleep(0.02)
    else:
        raise AssertionError("the room door was not opened")
    assert bridge.simulator.state()["calls"]["/v3/lock/unlock"] == 1


async def test_an_unlock_that_fails_says_so_on_the_event_object(
    bridge: Bridge, panel: Panel
) -> None:
    bridge.simulator.control("gateways/500001", {"online": False})

    panel.write("3/1/3", Dpt.SWITCH, True)

    assert await panel.next_value("3/1/2", Dpt.TEXT) == "UNLOCK FAILED"


async def test_a_zero_on_the_unlock_object_does_nothing(bridge: Bridge, panel: Panel) -> None:
    panel.write("3/1/3", Dpt.SWITCH, False)
    panel.write(TRIGGER, Dpt.SWITCH, False)  # a later telegram proves the first was handled

    assert await panel.next_value(STATUS, Dpt.TEXT) == "NEW CODE"
    assert bridge.simulator.state()["calls"].get("/v3/lock/unlock", 0) == 0


async def test_an_online_door_without_gateway_shows_a_failure_word_not_pending(
    bridge: Bridge, panel: Panel
) -> None:
    # the main entrance is `mode = "online"` (site.py): no offline code in its place
    bridge.simulator.control(f"locks/{MAIN_ENTRANCE}", {"gateway": None})
    set_stay(panel, days_from_today(1), days_from_today(3))
    panel.write(TRIGGER, Dpt.SWITCH, True)

    assert await final_status(panel) == "ERR GATEWAY"
    [grant] = await bridge.access.grants.find(room="room-1")
    entrance = next(door for door in grant.doors if door.door == "main-entrance")
    assert (entrance.status, entrance.errcode, entrance.next_attempt_ms) == ("failed", -2012, None)
