"""The booking sync at property scale: 50 feeds (one per room) holding 1,000 events in total,
read again when nothing changed. Target: 0 TTLock calls and under 1 s of CPU for the whole sync
(fetching 50 calendars over loopback HTTP, parsing them, planning, reading the store).

The feeds are files served by `python -m http.server` and the simulator runs in its own
process, so the CPU measured (`time.process_time`, every thread of this process) is the bridge's
alone. The first sync (not measured) issues the 50 grants of the stays inside the lead time.
"""

import asyncio
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import httpx

from bench.bench_access import CREDENTIALS, hotel_config, hotel_scenario
from bench.support import free_port, simulator_process
from ttlock_bridge.access import Access
from ttlock_bridge.bookings import BookingSync
from ttlock_bridge.bookings.calendar import read_calendar
from ttlock_bridge.cloud import TTLockClient
from ttlock_bridge.config import load_config
from ttlock_bridge.store import open_store

FEEDS = 50
EVENTS_PER_FEED = 20  # 1 stay inside the lead time, 15 later stays, 4 blocked periods
CPU_TARGET_S = 1.0


def feed_text(room: int, today: date) -> str:
    """An Airbnb-shaped export for one room: all-day events, CRLF lines."""
    events = []

    def event(uid: str, first: date, last: date, summary: str, description: str = "") -> None:
        events.extend(
            [
                "BEGIN:VEVENT",
                "DTSTAMP:20261120T101010Z",
                f"DTSTART;VALUE=DATE:{first:%Y%m%d}",
                f"DTEND;VALUE=DATE:{last:%Y%m%d}",
                f"UID:r{room}-{uid}@airbnb.com",
                f"SUMMARY:{summary}",
                *([f"DESCRIPTION:{description}"] if description else []),
                "END:VEVENT",
            ]
        )

    reserved = "Reservation URL: https://www.airbnb.com/hosting/reservations/details/HMX\\n"
    event("now", today + timedelta(days=1), today + timedelta(days=3), "Reserved", reserved)
    for n in range(15):
        first = today + timedelta(days=10 + 4 * n)
        event(f"later-{n}", first, first + timedelta(days=3), "Reserved", reserved)
    for n in range(4):
        first = today + timedelta(days=100 + 10 * n)
        event(f"block-{n}", first, first + timedelta(days=5), "Airbnb (Not available)")
    lines = ["BEGIN:VCALENDAR", "PRODID:-//Airbnb Inc//Hosting Calendar 1.0//EN", "VERSION:2.0"]
    return "\r\n".join([*lines, *events, "END:VCALENDAR", ""])


@contextmanager
def feed_files(directory: Path) -> Iterator[str]:
    """The feeds as files, served by `python -m http.server` in a child process."""
    today = datetime.now(UTC).date()
    for room in range(1, FEEDS + 1):
        (directory / f"room-{room}.ics").write_text(feed_text(room, today))
    port = free_port()
    child = subprocess.Popen(  # noqa: S603 - the standard library's server, fixed arguments
        [sys.executable, "-m", "http.server", str(port), "--bind", "127.0.0.1"],
        cwd=directory,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base_url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 20
        while True:
            try:
                httpx.get(f"{base_url}/room-1.ics").raise_for_status()
                break
            except httpx.HTTPError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.05)
        yield base_url
    finally:
        child.terminate()
        child.wait(timeout=10)


def calls(simulator_url: str) -> int:
    state = httpx.get(f"{simulator_url}/_sim/state").json()
    return sum(state["calls"].values())


async def syncs(simulator_url: str, feeds_url: str, directory: Path) -> dict[str, float]:
    path = hotel_config(directory, simulator_url)
    sections = "".join(
        f'\n[bookings.room-{n}]\nfeeds = ["{feeds_url}/room-{n}.ics?s=secret-{n:04d}"]\n'
        for n in range(1, FEEDS + 1)
    )
    path.write_text(path.read_text() + sections)
    config = load_config(path)
    store = open_store(config.store_url)
    try:
        async with TTLockClient(CREDENTIALS, api_base=simulator_url) as cloud:
            access = Access(config, store, cloud)
            sync = BookingSync(config, store, access, clock=lambda: int(time.time() * 1000))
            first = await sync.sync()
            created = sum(step.action == "create" for f in first.feeds for step in f.steps)
            before = calls(simulator_url)
            cpu, wall = time.process_time(), time.perf_counter()
            again = await sync.sync()
            cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
            after = calls(simulator_url)
            await sync.close()
    finally:
        store.close()
    events = sum(status.events for status in sync.statuses.values())
    failures = [f.failure for f in again.feeds if f.failure]
    steps = sum(len(f.steps) for f in again.feeds)
    assert not failures, failures
    return {
        "created": created,
        "events": events,
        "steps": steps,
        "calls": after - before,
        "cpu": cpu,
        "wall": wall,
    }


def cold_parse_seconds() -> float:
    """CPU seconds to parse the 1,000 events once (a changed feed, or the first read)."""
    today = datetime.now(UTC).date()
    bodies = [feed_text(room, today).encode() for room in range(1, FEEDS + 1)]
    started = time.process_time()
    for body in bodies:
        read_calendar(body)
    return time.process_time() - started


def main() -> None:
    print("bench_bookings")
    with (
        tempfile.TemporaryDirectory() as data,
        tempfile.TemporaryDirectory() as feeds,
        simulator_process(hotel_scenario()) as simulator_url,
        feed_files(Path(feeds)) as feeds_url,
    ):
        figures = asyncio.run(syncs(simulator_url, feeds_url, Path(data)))
    verdict = (
        "PASS"
        if figures["calls"] == 0 and figures["steps"] == 0 and figures["cpu"] < CPU_TARGET_S
        else "FAIL"
    )
    print(
        f"  first sync issued {figures['created']:.0f} grants; again with nothing changed: "
        f"{FEEDS} feeds, {figures['events']:.0f} events, {figures['steps']:.0f} steps, "
        f"{figures['calls']:.0f} TTLock calls, {figures['cpu']:.2f} s CPU "
        f"({figures['wall']:.2f} s wall) (target 0 calls, < {CPU_TARGET_S:.0f} s CPU): {verdict}"
    )
    print(
        f"  parsing the {FEEDS * EVENTS_PER_FEED} events afresh (every feed changed): "
        f"{cold_parse_seconds():.2f} s CPU (a feed whose calendar did not change is not parsed "
        "again)"
    )


if __name__ == "__main__":
    main()
