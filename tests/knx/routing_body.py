"""The routing test's body, run by test_routing.py inside `unshare -n` (never on the host network).

The bridge's channel and a LogicMachine stand-in both join 224.0.23.12 over routing on the
namespace's private loopback; the panel fires a room trigger and expects `OK 2 DOORS` and the
code on both simulated locks. Prints `ROUTING OK` on success.
"""

from __future__ import annotations

import asyncio
import datetime
import socket
import sys
import tempfile
from pathlib import Path
from zoneinfo import ZoneInfo

import httpx
from xknx.io import ConnectionConfig, ConnectionType

from ttlock_bridge.channels.knx.dpt import Dpt
from ttlock_bridge.simulator import create_app, serve_in_background

from .panel import Panel
from .site import MAIN_ENTRANCE, ROOM_1, running_channel, write_config

ROUTING = (
    'connection = "routing"\nlocal_ip = "127.0.0.1"\nindividual_address = "1.1.250"\n'
    'multicast_group = "224.0.23.12"'
)
PANEL = ConnectionConfig(
    connection_type=ConnectionType.ROUTING,
    local_ip="127.0.0.1",
    individual_address="1.1.251",
    multicast_group="224.0.23.12",
)


def only_loopback() -> bool:
    """True inside a fresh network namespace: the only interface is `lo`."""
    return [name for _, name in socket.if_nameindex()] == ["lo"]


async def issue_over_routing(directory: Path, api_base: str) -> None:
    today = datetime.datetime.now(ZoneInfo("Europe/Athens")).date()
    config = write_config(directory, api_base, ROUTING)
    async with running_channel(config, api_base), Panel(PANEL) as panel:
        panel.write("1/1/1", Dpt.TEXT, "583921")
        panel.write("1/1/3", Dpt.DATE, today + datetime.timedelta(days=1))
        panel.write("1/1/4", Dpt.TIME, datetime.time(15, 0))
        panel.write("1/1/5", Dpt.DATE, today + datetime.timedelta(days=3))
        panel.write("1/1/6", Dpt.TIME, datetime.time(11, 0))
        await asyncio.sleep(0.05)
        panel.write("1/1/0", Dpt.SWITCH, True)
        assert await panel.next_value("1/1/9", Dpt.TEXT) == "BUSY"
        status = await panel.next_value("1/1/9", Dpt.TEXT)
        assert status == "OK 2 DOORS", status


def assert_code_on_both_locks(api_base: str) -> None:
    locks = httpx.get(f"{api_base}/_sim/state").json()["locks"]
    for lock in locks:
        if lock["lockId"] in (ROOM_1, MAIN_ENTRANCE):
            codes = [entry["keyboardPwd"] for entry in lock["passcodes"]]
            assert codes == ["583921"], (lock["lockId"], codes)


def main() -> int:
    if not only_loopback():
        print("refusing to run: not inside a private network namespace (unshare -n)")
        return 2
    with serve_in_background(create_app()) as api_base, tempfile.TemporaryDirectory() as tmp:
        asyncio.run(issue_over_routing(Path(tmp), api_base))
        assert_code_on_both_locks(api_base)
    print("ROUTING OK")
    return 0


if __name__ == "__main__":
    sys.exit(main())
