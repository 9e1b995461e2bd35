"""200 stays over two `serve` replicas on one PostgreSQL (issue 15).

The bench hotel of `bench_access` (200 rooms, each with the shared main entrance) behind the
simulator in its own process at 300 ms per gateway command; each configuration is a fresh
simulator and database, `serve` in its own process(es), and 200 stays posted at once over HTTP,
in turn to each replica. The entrance takes its 200 adds one at a time whoever sends them, so
200 x 300 ms is the floor; two replicas must not be slower than one (target: within 1.2x of the
floor, as one process).
"""

import asyncio
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from datetime import date, timedelta

import httpx

from bench.bench_access import LATENCY_MS, ROOMS, hotel_config_text, hotel_scenario
from bench.support import (
    BRIDGE_TOKEN,
    bridge_process,
    free_port,
    private_postgres,
    simulator_process,
)

QUERY_DATE = "/v3/lock/queryDate"


def replica_config(simulator_url: str, port: int, store_url: str | None) -> str:
    text = hotel_config_text(simulator_url) + f'[server]\nhost = "127.0.0.1"\nport = {port}\n'
    return text + (f'[store]\nurl = "{store_url}"\n' if store_url else "")


@contextmanager
def replicas(simulator_url: str, count: int, store_url: str | None) -> Iterator[list[str]]:
    """`count` `serve` processes of the bench hotel on `store_url` (None: SQLite)."""
    with ExitStack() as stack:
        urls = []
        for _ in range(count):
            port = free_port()
            config = replica_config(simulator_url, port, store_url)
            url, _pid = stack.enter_context(bridge_process(simulator_url, port, config_text=config))
            urls.append(url)
        yield urls


def settle_start(simulator_url: str) -> None:
    """Wait for the start-up's lock clock check (one command per door) to be done."""
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        calls = httpx.get(f"{simulator_url}/_sim/state", timeout=30).json()["calls"]
        if calls.get(QUERY_DATE, 0) >= ROOMS + 1:
            time.sleep(1)
            return
        time.sleep(0.5)
    raise RuntimeError("the start-up clock check did not end")


async def two_hundred_stays(urls: list[str]) -> tuple[float, int]:
    """Wall seconds until 200 stays posted at once (in turn to each replica) are on their
    doors (at most 120 s after the last answer); how many doors are active then."""
    first = date.today() + timedelta(days=1)
    headers = {"Authorization": f"Bearer {BRIDGE_TOKEN}"}
    limits = httpx.Limits(max_connections=ROOMS, max_keepalive_connections=ROOMS)
    async with httpx.AsyncClient(headers=headers, limits=limits, timeout=600) as http:
        started = time.perf_counter()
        answers = await asyncio.gather(
            *(
                http.post(
                    f"{urls[n % len(urls)]}/api/v1/grants",
                    json={
                        "room": f"room-{n + 1}",
                        "start": first.isoformat(),
                        "end": (first + timedelta(days=2)).isoformat(),
                    },
                )
                for n in range(ROOMS)
            )
        )
        assert all(answer.status_code == 201 for answer in answers)
        deadline = time.perf_counter() + 120
        while (active := await active_doors(http, urls[0])) < 2 * ROOMS:
            if time.perf_counter() > deadline:
                break
            await asyncio.sleep(0.5)
        return time.perf_counter() - started, active


async def active_doors(http: httpx.AsyncClient, url: str) -> int:
    grants = (await http.get(f"{url}/api/v1/grants")).json()
    return sum(door["status"] == "active" for grant in grants for door in grant["doors"])


def run(count: int, postgres: bool) -> tuple[float, int]:
    with ExitStack() as stack:
        simulator_url = stack.enter_context(
            simulator_process(hotel_scenario(), latency_ms=LATENCY_MS)
        )
        store_url = stack.enter_context(private_postgres()) if postgres else None
        urls = stack.enter_context(replicas(simulator_url, count, store_url))
        settle_start(simulator_url)
        return asyncio.run(two_hundred_stays(urls))


def main() -> None:
    print("bench_replicas")
    floor = ROOMS * LATENCY_MS / 1000
    for count, postgres, label in (
        (1, False, "one serve, SQLite"),
        (1, True, "one serve, PostgreSQL"),
        (2, True, "two serve replicas, PostgreSQL"),
    ):
        elapsed, active = run(count, postgres)
        verdict = "PASS" if elapsed <= 1.2 * floor and active == 2 * ROOMS else "FAIL"
        print(
            f"  {label}: {ROOMS} stays at {LATENCY_MS} ms/command: {elapsed:.1f} s, "
            f"{active}/{2 * ROOMS} doors active (floor {floor:.0f} s, "
            f"target <= {1.2 * floor:.0f} s): {verdict}"
        )


if __name__ == "__main__":
    main()
