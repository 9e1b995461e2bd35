"""The bridge service's cost: what it adds to a remote unlock, and its memory at rest.

1. Added latency of `POST /api/v1/locks/room-1/unlock` on the bridge over the same unlock sent
   straight to the simulator (form POST with a valid token, keep-alive), no injected latency:
   p50 and p99 (targets: p50 under 3 ms added).
2. Idle RSS of `ttlock-bridge serve` with the demo configuration (goal: under 80 MB).

The simulator and the bridge each run in their own process (as in production, the cloud is
elsewhere); this process only sends requests.
"""

import statistics
import time
from collections.abc import Callable
from pathlib import Path

import httpx

from bench.support import BRIDGE_TOKEN as TOKEN
from bench.support import bridge_process, simulator_process
from ttlock_bridge.simulator import default_scenario
from ttlock_bridge.simulator.scenario import (
    DEMO_CLIENT_ID,
    DEMO_CLIENT_SECRET,
    DEMO_PASSWORD,
    DEMO_USERNAME,
)
from ttlock_bridge.simulator.state import md5_hex

ROOM_1 = 1_000_002
WARM_UP = 30
SAMPLES = 400
IDLE_SECONDS = 3.0


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError("no VmRSS")


def direct_unlock_ms(simulator_url: str) -> list[float]:
    """Unlocks sent straight to the simulator, with a token of our own."""
    with httpx.Client(base_url=simulator_url) as http:
        token = http.post(
            "/oauth2/token",
            data={
                "clientId": DEMO_CLIENT_ID,
                "clientSecret": DEMO_CLIENT_SECRET,
                "username": DEMO_USERNAME,
                "password": md5_hex(DEMO_PASSWORD),
            },
        ).json()["access_token"]

        def unlock() -> float:
            form = {
                "clientId": DEMO_CLIENT_ID,
                "accessToken": token,
                "lockId": ROOM_1,
                "date": int(time.time() * 1000),
            }
            started = time.perf_counter()
            answer = http.post("/v3/lock/unlock", data=form).json()
            elapsed = (time.perf_counter() - started) * 1000
            assert answer["errcode"] == 0, answer
            return elapsed

        return _measure(unlock)


def bridge_unlock_ms(bridge_url: str) -> list[float]:
    headers = {"Authorization": f"Bearer {TOKEN}"}
    with httpx.Client(base_url=bridge_url, headers=headers) as http:

        def unlock() -> float:
            started = time.perf_counter()
            response = http.post("/api/v1/locks/room-1/unlock")
            elapsed = (time.perf_counter() - started) * 1000
            assert response.status_code == 200, response.text
            return elapsed

        return _measure(unlock)


def _measure(call: Callable[[], float]) -> list[float]:
    for _ in range(WARM_UP):
        call()
    return [call() for _ in range(SAMPLES)]


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


def main() -> None:
    with simulator_process(default_scenario()) as simulator_url:
        direct = direct_unlock_ms(simulator_url)
        with bridge_process(simulator_url) as (bridge_url, pid):
            time.sleep(IDLE_SECONDS)
            idle_rss = rss_mb(pid)
            through_bridge = bridge_unlock_ms(bridge_url)
    p50_direct, p99_direct = statistics.median(direct), percentile(direct, 0.99)
    p50_bridge, p99_bridge = statistics.median(through_bridge), percentile(through_bridge, 0.99)
    print("bench_service: POST /api/v1/locks/room-1/unlock vs the simulator directly")
    print(f"  direct  p50 {p50_direct:6.2f} ms   p99 {p99_direct:6.2f} ms   ({SAMPLES} calls)")
    print(f"  bridge  p50 {p50_bridge:6.2f} ms   p99 {p99_bridge:6.2f} ms")
    print(
        f"  added   p50 {p50_bridge - p50_direct:6.2f} ms   p99 {p99_bridge - p99_direct:6.2f} ms"
        "   (target: p50 < 3 ms)"
    )
    print(f"  idle RSS of `serve` (demo configuration): {idle_rss:.1f} MB   (goal: < 80 MB)")


if __name__ == "__main__":
    main()
