"""The cloud client's cost and throughput against the simulator (in its own process).

1. Median overhead per call of `TTLockClient.lock_detail` over a bare httpx POST of the same
   request on a keep-alive connection (target: under 1 ms).
2. 100 concurrent unlocks on 100 locks (10 gateways) with 200 ms simulated latency: wall time
   against 1.5 x 200 ms x waves, waves = ceil(100 / remote concurrency limit).
"""

import asyncio
import math
import statistics
import time
from typing import Any

import httpx

from bench.support import simulator_process
from ttlock_bridge.cloud import Credentials, TTLockClient
from ttlock_bridge.simulator import Scenario, default_scenario

CREDENTIALS = Credentials.with_password(
    "demo-client-id", "demo-client-secret", "demo@example.com", "demo-password"
)
LOCK_ID = 1_000_002
OVERHEAD_ROUNDS = 20
CALLS_PER_ROUND = 25
LATENCY_MS = 200
LOCK_COUNT = 100
GATEWAY_COUNT = 10


def hundred_lock_scenario() -> Scenario:
    """100 locks spread over 10 gateways, every lock with remote unlock on."""
    base = default_scenario().model_dump(mode="json")
    gateways = [{"id": 600_000 + g, "mac": f"DC:A4:53:85:{g:02X}:74"} for g in range(GATEWAY_COUNT)]
    locks = [
        {
            "id": 2_000_000 + n,
            "alias": f"Door {n}",
            "mac": f"ED:AE:90:{n // 256:02X}:{n % 256:02X}:55",
            "gateway": 600_000 + n % GATEWAY_COUNT,
        }
        for n in range(LOCK_COUNT)
    ]
    return Scenario.model_validate({**base, "gateways": gateways, "locks": locks})


async def measure_overhead(base_url: str) -> tuple[float, float]:
    """Median ms per lock/detail call: (through the client, bare httpx)."""
    async with TTLockClient(CREDENTIALS, api_base=base_url) as client, httpx.AsyncClient() as bare:
        await client.lock_detail(LOCK_ID)
        token = await client._session.access_token()  # the bare calls reuse the client's token

        async def bare_call() -> dict[str, Any]:
            params = {
                "clientId": CREDENTIALS.client_id,
                "accessToken": token,
                "lockId": LOCK_ID,
                "date": int(time.time() * 1000),
            }
            response = await bare.post(f"{base_url}/v3/lock/detail", data=params)
            answer: dict[str, Any] = response.json()
            return answer

        await bare_call()
        through_client: list[float] = []
        through_httpx: list[float] = []
        for _ in range(OVERHEAD_ROUNDS):  # interleaved, so drift hits both alike
            for _ in range(CALLS_PER_ROUND):
                started = time.perf_counter()
                await client.lock_detail(LOCK_ID)
                through_client.append(time.perf_counter() - started)
            for _ in range(CALLS_PER_ROUND):
                started = time.perf_counter()
                await bare_call()
                through_httpx.append(time.perf_counter() - started)
    return statistics.median(through_client) * 1000, statistics.median(through_httpx) * 1000


async def measure_hundred_unlocks(base_url: str) -> tuple[float, int]:
    """Wall seconds for 100 concurrent unlocks on 100 locks, and the concurrency limit used."""
    async with TTLockClient(CREDENTIALS, api_base=base_url) as client:
        lock_ids = [lock.lock_id async for lock in client.locks()]  # also logs in
        started = time.perf_counter()
        await asyncio.gather(*(client.unlock(lock_id) for lock_id in lock_ids))
        return time.perf_counter() - started, client.remote_concurrency


def main() -> None:
    print("bench_cloud_client")
    with simulator_process(default_scenario()) as base_url:
        with_client, bare = asyncio.run(measure_overhead(base_url))
    overhead = with_client - bare
    verdict = "PASS" if overhead < 1.0 else "FAIL"
    print(
        f"  lock/detail median: client {with_client:.3f} ms, bare httpx {bare:.3f} ms, "
        f"overhead {overhead:.3f} ms per call (target < 1 ms): {verdict}"
    )

    with simulator_process(hundred_lock_scenario(), latency_ms=LATENCY_MS) as base_url:
        wall, limit = asyncio.run(measure_hundred_unlocks(base_url))
    waves = math.ceil(LOCK_COUNT / limit)
    target = 1.5 * LATENCY_MS / 1000 * waves
    verdict = "PASS" if wall <= target else "FAIL"
    print(
        f"  {LOCK_COUNT} concurrent unlocks on {LOCK_COUNT} locks, {LATENCY_MS} ms latency, "
        f"limit {limit} ({waves} waves): {wall:.2f} s (target <= {target:.2f} s): {verdict}"
    )


if __name__ == "__main__":
    main()
