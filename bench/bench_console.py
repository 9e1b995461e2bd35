"""The front-desk console's speed on a large property.

1. Time to first byte of the board (`GET /`, signed in) with 200 rooms and 400 grants (a
   current and a next stay per room, each on the room door and the main entrance): p50 and
   p99 (target: p50 under 25 ms).
2. The delay from a simulated callback to the browser's update over SSE: a code typed on a
   room's keypad in the simulator (which posts the TTLock callback to the bridge) until the
   `/live` stream names that room, and until the refreshed room card has been fetched as the
   page's script does (target: p50 under 100 ms for the stream).
3. A code typed at the main entrance, which every room shares: until an open board has
   fetched every fragment the page's script fetches for that news (six at a time, as a
   browser does), and how many that is.

The simulator and the bridge each run in their own process; this process is the browser.
"""

from __future__ import annotations

import json
import queue
import re
import statistics
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from datetime import date, timedelta
from pathlib import Path

import httpx

from bench.support import BRIDGE_TOKEN, bridge_process, free_port, simulator_process
from ttlock_bridge.service.demo import MAIN_ENTRANCE_LOCK_ID, demo_config_text, demo_scenario
from ttlock_bridge.simulator import Scenario
from ttlock_bridge.simulator.scenario import LockConfig

ROOMS = 200
OPERATOR, PASSWORD = "bench", "bench console password"
WARM_UP = 20
SAMPLES = 200
UPDATES = 60
SHARED_UPDATES = 30
BROWSER_CONNECTIONS = 6
TTFB_TARGET_MS = 25.0
SSE_TARGET_MS = 100.0


def hotel(callback_url: str) -> Scenario:
    """The demo hotel's main entrance and gateway with `ROOMS` room locks."""
    scenario = demo_scenario(callback_url)
    entrance = next(lock for lock in scenario.locks if lock.id == MAIN_ENTRANCE_LOCK_ID)
    rooms = [
        LockConfig(
            id=MAIN_ENTRANCE_LOCK_ID + number,
            alias=f"Room {number}",
            mac=f"ED:AE:{number // 256:02X}:{number % 256:02X}:00:01",
            gateway=entrance.gateway,
            timezone_offset_ms=entrance.timezone_offset_ms,
        )
        for number in range(1, ROOMS + 1)
    ]
    return scenario.model_copy(update={"locks": [entrance, *rooms]})


def add_operator(config: Path) -> None:
    command = [sys.executable, "-m", "ttlock_bridge", "users", "add", OPERATOR]
    command += ["--role", "admin", "--password-stdin", "--config", str(config)]
    subprocess.run(  # noqa: S603 - our own CLI, fixed arguments
        command,
        input=f"{PASSWORD}\n",
        text=True,
        check=True,
        capture_output=True,
    )


def fill(api: httpx.Client) -> tuple[dict[str, str], dict[str, str]]:
    """A current and a next stay for every room; returns room -> the current stay's code, and
    each stay's tag -> its room."""
    today = date.today()
    codes, rooms_by_tag = {}, {}
    for n in range(1, ROOMS + 1):
        for start, end in ((-1, 2), (3, 5)):
            answer = api.post(
                "/api/v1/grants",
                json={
                    "room": f"room-{n}",
                    "start": f"{today + timedelta(days=start)}T00:00",
                    "end": (today + timedelta(days=end)).isoformat(),
                    "name": f"Guest {n} {start}",
                },
            )
            assert answer.status_code == 201, answer.text
            rooms_by_tag[answer.json()["tag"]] = f"room-{n}"
            if start < 0:
                codes[f"room-{n}"] = answer.json()["code"]
    return codes, rooms_by_tag


def signed_in(url: str) -> httpx.Client:
    client = httpx.Client(base_url=url, timeout=30)
    page = client.get("/signin").text
    found = re.search(r'name="csrf_token" value="([^"]+)"', page)
    assert found is not None
    form = {"csrf_token": found[1], "name": OPERATOR, "password": PASSWORD}
    assert client.post("/signin", data=form).status_code == 303
    return client


def board_ms(client: httpx.Client) -> tuple[list[float], list[float]]:
    """Time to the first byte and to the last byte of the board, in ms."""
    first, last = [], []
    for index in range(WARM_UP + SAMPLES):
        started = time.perf_counter()
        with client.stream("GET", "/") as response:
            chunks = response.iter_raw()
            next(chunks)
            first_ms = (time.perf_counter() - started) * 1000
            assert response.status_code == 200
            for _rest in chunks:
                pass
            last_ms = (time.perf_counter() - started) * 1000
        if index >= WARM_UP:
            first.append(first_ms)
            last.append(last_ms)
    return first, last


def listen(
    client: httpx.Client, arrivals: queue.Queue[tuple[float, str]], stop: threading.Event
) -> None:
    """Read `/live` as EventSource does (reconnecting), putting (arrival time, data) lines."""
    while not stop.is_set():
        try:
            with client.stream("GET", "/live", timeout=None) as stream:
                for line in stream.iter_lines():
                    if line.startswith("data: "):
                        arrivals.put((time.perf_counter(), line[6:]))
                    if stop.is_set():
                        return
        except httpx.HTTPError:
            if not stop.is_set():
                raise


@contextmanager
def live_page(url: str) -> Iterator[tuple[httpx.Client, queue.Queue[tuple[float, str]]]]:
    """A signed-in page listening to `/live`: its client and the messages as they arrive."""
    client = signed_in(url)
    arrivals: queue.Queue[tuple[float, str]] = queue.Queue()
    stop = threading.Event()
    reader = threading.Thread(target=listen, args=(client, arrivals, stop), daemon=True)
    reader.start()
    time.sleep(0.5)
    try:
        yield client, arrivals
    finally:
        stop.set()
        client.close()


def sse_delays_ms(
    url: str, simulator_url: str, codes: dict[str, str]
) -> tuple[list[float], list[float]]:
    stream_ms, card_ms = [], []
    with live_page(url) as (client, arrivals), httpx.Client(base_url=simulator_url) as simulator:
        for index in range(UPDATES):
            room = f"room-{index % ROOMS + 1}"
            lock_id = MAIN_ENTRANCE_LOCK_ID + index % ROOMS + 1
            while not arrivals.empty():
                arrivals.get()
            started = time.perf_counter()
            typed = simulator.post(f"/_sim/locks/{lock_id}/keypad", json={"code": codes[room]})
            assert typed.json()["opened"], typed.text
            while True:
                arrived, data = arrivals.get(timeout=10)
                if f'"{room}"' in data:
                    break
            stream_ms.append((arrived - started) * 1000)
            assert client.get(f"/fragments/rooms/{room}").status_code == 200
            card_ms.append((time.perf_counter() - started) * 1000)
            time.sleep(0.05)
    return stream_ms, card_ms


def board_fragments(change: dict[str, list[str]], rooms_by_tag: dict[str, str]) -> list[str]:
    """What an open board fetches for one `/live` message (see static/console.js): the cards
    of the rooms it names and of the stays whose tag it names, and each door's facts."""
    rooms = [*change.get("rooms", []), *(rooms_by_tag[t] for t in change.get("tags", []))]
    cards = [f"/fragments/rooms/{room}" for room in dict.fromkeys(rooms)]
    return cards + [f"/fragments/doors/{door}/facts" for door in change.get("doors", [])]


def shared_door_refresh(
    url: str, simulator_url: str, codes: dict[str, str], rooms_by_tag: dict[str, str]
) -> tuple[list[float], list[float]]:
    """Codes typed at the main entrance: (ms until the board's fragments are fetched, how
    many fragments)."""
    delays, counts = [], []
    with (
        live_page(url) as (client, arrivals),
        httpx.Client(base_url=simulator_url) as simulator,
        ThreadPoolExecutor(BROWSER_CONNECTIONS) as browser,
    ):
        for index in range(SHARED_UPDATES):
            room = f"room-{index % ROOMS + 1}"
            while not arrivals.empty():
                arrivals.get()
            started = time.perf_counter()
            typed = simulator.post(
                f"/_sim/locks/{MAIN_ENTRANCE_LOCK_ID}/keypad", json={"code": codes[room]}
            )
            assert typed.json()["opened"], typed.text
            while True:
                _arrived, data = arrivals.get(timeout=10)
                change = json.loads(data)
                # the keypad use names its stay's tag (news without one: the bolt's auto-lock;
                # a bridge before tags named every room and no tag)
                if "main-entrance" in change.get("doors", []) and change.get("tags", True):
                    break
            fragments = board_fragments(change, rooms_by_tag)
            list(browser.map(lambda path: client.get(path).status_code, fragments))
            delays.append((time.perf_counter() - started) * 1000)
            counts.append(float(len(fragments)))
            time.sleep(0.05)
    return delays, counts


def figures(name: str, samples: list[float], target: float | None = None) -> None:
    ordered = sorted(samples)
    p50 = statistics.median(ordered)
    p99 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))]
    verdict = (
        ""
        if target is None
        else f" (target p50 < {target:.0f} ms: {'met' if p50 < target else 'MISSED'})"
    )
    print(f"{name}: p50 {p50:.1f} ms, p99 {p99:.1f} ms, n={len(ordered)}{verdict}")


def main() -> None:
    port = free_port()
    with simulator_process(hotel(f"http://127.0.0.1:{port}/ttlock/callback")) as simulator_url:
        text = demo_config_text(simulator_url, host="127.0.0.1", port=port, rooms=ROOMS)
        with bridge_process(simulator_url, port, config_text=text, prepare=add_operator) as (
            url,
            _pid,
        ):
            headers = {"Authorization": f"Bearer {BRIDGE_TOKEN}"}
            with httpx.Client(base_url=url, headers=headers, timeout=60) as api:
                codes, rooms_by_tag = fill(api)
            client = signed_in(url)
            try:
                first, last = board_ms(client)
                figures(f"board TTFB, {ROOMS} rooms, {2 * ROOMS} grants", first, TTFB_TARGET_MS)
                figures("board, whole page", last)
            finally:
                client.close()
            stream, card = sse_delays_ms(url, simulator_url, codes)
            figures("keypad callback -> SSE message", stream, SSE_TARGET_MS)
            figures("keypad callback -> refreshed room card", card)
            shared, fetched = shared_door_refresh(url, simulator_url, codes, rooms_by_tag)
            figures("main-entrance keypad -> board's fragments fetched", shared)
            median = statistics.median(fetched)
            print(f"fragments a board fetches per main-entrance event: {median:.0f}")


if __name__ == "__main__":
    main()
