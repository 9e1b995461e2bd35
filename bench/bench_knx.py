"""KNX trigger -> `OK` status: the time a LogicMachine panel waits for a guest code.

A private knxd (tunnelling on loopback), the bridge's KNX channel on the real access core
(SQLite, simulator at zero latency in a child process) and a second xknx tunnel client as the
panel. Each sample: the panel has written the dates and an empty code, then fires the trigger;
the clock stops when the status object gets its final word (after `BUSY`). Measured both for a
new grant (create, 2 doors: `OK 2 DOORS`) and for the trigger again on an active grant with
the same dates (modify: the window overlaps the room's stay, so it is changed: `OK CHANGED`).
Target: p50 under 50 ms.
"""

import asyncio
import datetime
import multiprocessing
import statistics
import sys
import tempfile
import time
from multiprocessing.connection import Connection
from pathlib import Path
from zoneinfo import ZoneInfo

from ttlock_bridge.channels.knx.dpt import Dpt
from ttlock_bridge.simulator import create_app, serve_in_background

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))

from knx.knxd import KNXD, running_knxd
from knx.panel import Panel
from knx.site import running_channel, tunnel_to, tunnelling, write_config

SAMPLES = 40
TRIGGER, CODE, STATUS = "1/1/0", "1/1/1", "1/1/9"
FROM_DATE, FROM_TIME, TO_DATE, TO_TIME = "1/1/3", "1/1/4", "1/1/5", "1/1/6"


def _serve(ready: Connection) -> None:
    with serve_in_background(create_app()) as base_url:
        ready.send(base_url)
        ready.recv()  # block until the benchmark is done


async def _one_trigger(panel: Panel) -> tuple[float, object]:
    started = time.perf_counter()
    panel.write(TRIGGER, Dpt.SWITCH, True)
    assert await panel.next_value(STATUS, Dpt.TEXT) == "BUSY"
    word = await panel.next_value(STATUS, Dpt.TEXT)
    return (time.perf_counter() - started) * 1000, word


async def _measure(directory: Path, api_base: str) -> dict[str, list[float]]:
    today = datetime.datetime.now(ZoneInfo("Europe/Athens")).date()
    with running_knxd(directory) as knxd:
        config = write_config(directory, api_base, tunnelling(knxd.port))
        async with (
            running_channel(config, api_base) as bridge,
            Panel(tunnel_to(knxd.port)) as panel,
        ):
            panel.write(FROM_TIME, Dpt.TIME, datetime.time(14, 0))
            panel.write(TO_TIME, Dpt.TIME, datetime.time(10, 0))
            timings: dict[str, list[float]] = {"create": [], "modify": []}
            for sample in range(SAMPLES):
                panel.write(CODE, Dpt.TEXT, "")
                panel.write(FROM_DATE, Dpt.DATE, today + datetime.timedelta(days=1))
                panel.write(TO_DATE, Dpt.DATE, today + datetime.timedelta(days=2 + sample % 5))
                await asyncio.sleep(0.01)  # let the writes land before the trigger
                for kind, expected in (("create", "OK 2 DOORS"), ("modify", "OK CHANGED")):
                    elapsed, word = await _one_trigger(panel)
                    assert word == expected, word
                    timings[kind].append(elapsed)
                    while panel.pending(CODE):  # drain what the bridge wrote back
                        await panel.next_value(CODE, Dpt.TEXT)
                current = await bridge.access.grants.current_for_room("room-1")
                assert current is not None
                await bridge.access.grants.cancel(current.id)
            return timings


def _report(kind: str, samples: list[float]) -> None:
    ordered = sorted(samples)
    p50 = statistics.median(ordered)
    p90 = ordered[int(len(ordered) * 0.9) - 1]
    verdict = "OK" if p50 < 50 else "ABOVE TARGET"
    print(
        f"  trigger -> OK ({kind}, 2 doors): p50 {p50:.1f} ms, p90 {p90:.1f} ms, "
        f"max {ordered[-1]:.1f} ms over {len(ordered)} [{verdict}: p50 < 50 ms]"
    )


def main() -> None:
    print("bench_knx: KNX trigger telegram -> OK status telegram (knxd tunnel, simulator 0 ms)")
    if KNXD is None:
        print("  skipped: knxd is not installed (make test installs it)")
        return
    parent, child = multiprocessing.Pipe()
    server = multiprocessing.Process(target=_serve, args=(child,), daemon=True)
    server.start()
    try:
        api_base = parent.recv()
        with tempfile.TemporaryDirectory() as directory:
            timings = asyncio.run(_measure(Path(directory), api_base))
    finally:
        parent.send("done")
        server.join(timeout=5)
    for kind, samples in timings.items():
        _report(kind, samples)


if __name__ == "__main__":
    main()
