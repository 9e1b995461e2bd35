"""contrib/logicmachine/ttlock_bridge.lua under Debian's Lua 5.1, LuaSocket and cjson, against a
running bridge (REST on 127.0.0.1, simulated cloud). Only the LogicMachine globals are stubbed:
`grp` (object values, writes recorded), `dt`, `event` and `log`."""

from __future__ import annotations

import datetime
import json
import shutil
import subprocess
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from service.bridge import API_TOKEN, MAIN_ENTRANCE, ROOM_1, RunningBridge, StartBridge
from service.conftest import start_bridge  # noqa: F401 - the running bridge fixture

REPO = Path(__file__).resolve().parents[2]
LIBRARY_DIR = REPO / "contrib" / "logicmachine"
LUA = shutil.which("lua5.1")
BASE = "1/1/0"

DRIVER = r"""
local cjson = require('cjson')
local input = cjson.decode(io.read('*a'))
package.path = input.library_dir .. '/?.lua;' .. package.path

local values, writes, logged = input.values, {}, {}
grp = {
  getvalue = function(alias) return values[alias] end,
  write = function(alias, value, datatype)
    values[alias] = value
    table.insert(writes, { alias, value })
    return true
  end,
}
dt = { bool = 1, uint32 = 12, string = 16, date = 11, time = 10 }
event = { dst = input.base, getvalue = function() return input.trigger end }
log = function(...) table.insert(logged, table.concat({ ... }, ' ')) end

local bridge = require('ttlock_bridge')
bridge.configure({ url = input.url, token = input.token })
local result, reason
if input.unlock then
  result, reason = bridge.unlock(input.unlock)
else
  result = bridge.on_trigger(input.room, input.base)
end
io.write(cjson.encode({ result = result or cjson.null, reason = reason, writes = writes,
                        log = logged }))
"""


@pytest.fixture
def rest_bridge(start_bridge: StartBridge) -> RunningBridge:  # noqa: F811
    if LUA is None:
        pytest.skip("lua5.1 is not installed: `make test` installs it (apt-get, as root)")
    return start_bridge()


def lm_date(day: datetime.date) -> dict[str, int]:
    """A date object's value as LogicMachine's Lua sees it."""
    return {"day": day.day, "month": day.month, "year": day.year}


def lm_time(hour: int, minute: int) -> dict[str, int]:
    return {"day": 0, "hour": hour, "minute": minute, "second": 0}


def days_from_today(days: int) -> datetime.date:
    return datetime.datetime.now(ZoneInfo("Europe/Athens")).date() + datetime.timedelta(days)


def block(arrive: int | None, depart: int | None, code: str = "") -> dict[str, Any]:
    values: dict[str, Any] = {"1/1/1": code, "1/1/4": lm_time(14, 0), "1/1/6": lm_time(10, 30)}
    if arrive is not None:
        values["1/1/3"] = lm_date(days_from_today(arrive))
    if depart is not None:
        values["1/1/5"] = lm_date(days_from_today(depart))
    return values


def run_lua(bridge: RunningBridge, **task: Any) -> dict[str, Any]:
    assert LUA is not None
    task = {"library_dir": str(LIBRARY_DIR), "url": bridge.url, "token": API_TOKEN, **task}
    finished = subprocess.run(  # noqa: S603 - fixed interpreter and script
        [LUA, "-e", DRIVER],
        input=json.dumps(task),
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )
    outcome: dict[str, Any] = json.loads(finished.stdout)
    assert API_TOKEN not in finished.stdout + finished.stderr + " ".join(outcome["log"])
    return outcome


def issue(bridge: RunningBridge, values: dict[str, Any]) -> dict[str, Any]:
    return run_lua(bridge, room="room-1", base=BASE, trigger=True, values=values)


def test_the_trigger_issues_the_rooms_grant_and_writes_it_back(
    rest_bridge: RunningBridge,
) -> None:
    outcome = issue(rest_bridge, block(1, 3))

    assert outcome["result"] == "OK 2 DOORS"
    written = dict(outcome["writes"][1:])
    assert outcome["writes"][0] == ["1/1/9", "BUSY"]
    code = written["1/1/1"]
    assert len(code) == 6
    assert written["1/1/2"] == f"R1 {days_from_today(1):%d%m}-{days_from_today(3):%d%m}"
    assert written["1/1/9"] == "OK 2 DOORS"
    grant = rest_bridge.api.get(f"/api/v1/grants/{written['1/1/8']}").json()
    assert grant["code"] == code
    for lock_id in (ROOM_1, MAIN_ENTRANCE):
        assert [entry["keyboardPwd"] for entry in rest_bridge.passcodes_on(lock_id)] == [code]
    assert not any(code in line for line in outcome["log"])


def test_a_room_door_without_gateway_writes_its_code_and_the_entrances_in_the_name(
    rest_bridge: RunningBridge,
) -> None:
    rest_bridge.simulator.control(f"locks/{ROOM_1}", {"gateway": None})  # offline code

    outcome = issue(rest_bridge, block(1, 3))

    assert outcome["result"] == "OK 2 DOORS"
    written = dict(outcome["writes"][1:])
    [on_room] = [entry["keyboardPwd"] for entry in rest_bridge.passcodes_on(ROOM_1)]
    [on_entrance] = [entry["keyboardPwd"] for entry in rest_bridge.passcodes_on(MAIN_ENTRANCE)]
    assert written["1/1/1"] == on_room != on_entrance
    assert written["1/1/2"] == f"MAIN {on_entrance}"


def test_the_trigger_again_changes_the_current_grant(rest_bridge: RunningBridge) -> None:
    first = dict(issue(rest_bridge, block(1, 3, code="583921"))["writes"])
    again = issue(rest_bridge, block(1, 5, code="583921"))

    assert again["result"] == "OK CHANGED"
    assert dict(again["writes"])["1/1/8"] == first["1/1/8"]
    grant = rest_bridge.api.get(f"/api/v1/grants/{first['1/1/8']}").json()
    assert grant["end"].startswith(days_from_today(5).isoformat())


def test_the_next_guests_stay_is_a_new_grant_not_a_change_of_the_current_one(
    rest_bridge: RunningBridge,
) -> None:
    first = dict(issue(rest_bridge, block(1, 3, code="583921"))["writes"])
    following = issue(rest_bridge, block(3, 5, code=""))  # 14:00 arrival after 10:30 departure

    assert following["result"] == "OK NEXT STAY"
    written = dict(following["writes"])
    assert written["1/1/8"] != first["1/1/8"]
    assert written["1/1/1"] != "583921"
    current = rest_bridge.api.get(f"/api/v1/grants/{first['1/1/8']}").json()
    assert current["end"].startswith(days_from_today(3).isoformat())
    assert sorted(p["keyboardPwd"] for p in rest_bridge.passcodes_on(ROOM_1)) == sorted(
        ["583921", written["1/1/1"]]
    )


@pytest.mark.parametrize(
    ("values", "word"),
    [
        (block(None, None), "ERR NO DATES"),
        (block(3, 1), "ERR DATES"),
        (block(1, 3, code="583"), "ERR INPUT"),
    ],
)
def test_bad_blocks_get_a_status_word_and_no_grant(
    rest_bridge: RunningBridge, values: dict[str, Any], word: str
) -> None:
    outcome = issue(rest_bridge, values)

    assert outcome["result"] == word
    assert outcome["writes"][-1] == ["1/1/9", word]
    assert rest_bridge.api.get("/api/v1/grants?include_inactive=true").json() == []
    assert rest_bridge.passcodes_on(ROOM_1) == []


def test_trigger_off_clears_the_code_for_a_fresh_one(rest_bridge: RunningBridge) -> None:
    outcome = run_lua(
        rest_bridge, room="room-1", base=BASE, trigger=False, values=block(1, 3, "583921")
    )
    assert outcome["writes"] == [["1/1/1", ""]]


def test_unlock_opens_the_door(rest_bridge: RunningBridge) -> None:
    outcome = run_lua(rest_bridge, unlock="room-1", values={})

    assert outcome["result"] is True
    state = rest_bridge.api.get("/api/v1/locks/room-1/state").json()
    assert state["bolt"] == "unlocked"


def test_a_wrong_token_is_reported_not_crashed(rest_bridge: RunningBridge) -> None:
    outcome = run_lua(rest_bridge, unlock="room-1", values={}, token="wrong-token-0000")

    assert outcome["result"] is None
    assert outcome["reason"]
