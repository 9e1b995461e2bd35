"""One day of a seven-door house, replayed 900 times faster: what the bridge spends at TTLock.

Home Assistant polls every door through the old Docker bridge's route (`GET /{lockId}`, every
60 s per door, as its README had it); ten guest stays on two doors each (room + entrance) are
issued and cleaned up; callbacks are on; the bridge runs its own schedule (detail refresh every
6 h, gateway poll every 15 min, lock clock check daily) scaled by the same factor. The figures
are TTLock calls counted by the simulator for the day, split into calls about one lock (they
carry its lockId) and account-wide calls (the lock list, the gateway list, the token). Target
(issue 11): at most 5 calls per lock per day plus 2 per door of each stay.
"""

import threading
import time
from datetime import date, timedelta

import httpx

from bench.support import BRIDGE_TOKEN, bridge_process, free_port, simulator_process
from ttlock_bridge.service.demo import demo_scenario

SCALE = 900
DAY_S = 86_400 / SCALE
DOORS = {1_000_001 + number: f"room-{number}" for number in range(1, 7)} | {1_000_001: ""}
HOME_ASSISTANT_POLL_S = 60 / SCALE
STAYS = 10
ACCOUNT_WIDE = frozenset({"/v3/lock/list", "/v3/gateway/list", "/oauth2/token"})
CLOUD = f"""detail_refresh = "{6 * 3600 // SCALE}s"
gateway_poll = "{15 * 60 // SCALE}s"
clock_check = "{86_400 // SCALE}s"
"""


def poll_like_home_assistant(bridge_url: str, stop: threading.Event, counts: list[int]) -> None:
    headers = {"Authorization": f"Bearer {BRIDGE_TOKEN}"}
    with httpx.Client(base_url=bridge_url, headers=headers) as http:
        while not stop.is_set():
            started = time.monotonic()
            for lock_id in DOORS:
                assert http.get(f"/{lock_id}").status_code == 200
                counts[0] += 1
            stop.wait(max(0.0, HOME_ASSISTANT_POLL_S - (time.monotonic() - started)))


def guest_stays(bridge_url: str) -> int:
    """Issue each stay, wait until it is on both doors, cancel it, wait until it is gone."""
    headers = {"Authorization": f"Bearer {BRIDGE_TOKEN}"}
    spacing_s = DAY_S / STAYS
    placed = 0
    with httpx.Client(base_url=bridge_url, headers=headers, timeout=30) as http:
        for stay in range(STAYS):
            started = time.monotonic()
            arrival = date.today() + timedelta(days=1 + stay)
            body = {
                "room": f"room-{stay % 6 + 1}",
                "start": str(arrival),
                "end": str(arrival + timedelta(days=2)),
                "name": f"Guest {stay}",
            }
            grant = http.post("/api/v1/grants", json=body).json()
            while {door["status"] for door in grant["doors"]} != {"active"}:
                time.sleep(0.05)
                grant = http.get(f"/api/v1/grants/{grant['id']}").json()
            placed += len(grant["doors"])
            grant = http.delete(f"/api/v1/grants/{grant['id']}").json()
            while {door["status"] for door in grant["doors"]} != {"removed"}:
                time.sleep(0.05)
                grant = http.get(f"/api/v1/grants/{grant['id']}").json()
            time.sleep(max(0.0, spacing_s - (time.monotonic() - started)))
    return placed


def main() -> None:
    port = free_port()
    scenario = demo_scenario(f"http://127.0.0.1:{port}/ttlock/callback")
    with (
        simulator_process(scenario) as simulator_url,
        bridge_process(simulator_url, port=port, cloud=CLOUD) as (bridge_url, _pid),
    ):
        stop, reads = threading.Event(), [0]
        poller = threading.Thread(
            target=poll_like_home_assistant, args=(bridge_url, stop, reads), daemon=True
        )
        started = time.monotonic()
        poller.start()
        placements = guest_stays(bridge_url)
        time.sleep(max(0.0, DAY_S - (time.monotonic() - started)))
        stop.set()
        poller.join()
        calls: dict[str, int] = httpx.get(f"{simulator_url}/_sim/state").json()["calls"]
    total = sum(calls.values())
    account_wide = sum(count for endpoint, count in calls.items() if endpoint in ACCOUNT_WIDE)
    per_lock = (total - account_wide - 2 * placements) / len(DOORS)
    print(f"bench_quota_day: one day of a {len(DOORS)}-door house, {SCALE}x faster")
    print(f"  Home Assistant reads of GET /{{lockId}}: {reads[0]}  (one per door per minute)")
    print(f"  stays: {STAYS} on 2 doors each, placed and removed ({placements} placements)")
    for endpoint, count in sorted(calls.items(), key=lambda item: -item[1]):
        print(f"    {endpoint:32} {count:5}")
    print(f"  TTLock calls: {total}; account-wide: {account_wide}")
    print(
        f"  calls about one lock, beyond 2 per door of each stay: {per_lock:.1f} per lock"
        "   (target: at most 5)"
    )


if __name__ == "__main__":
    main()
