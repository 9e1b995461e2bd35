"""The access core at hotel scale.

1. 200 room grants (room door + the shared main entrance: 400 placements) against the simulator
   with 300 ms per remote command. The entrance serialises its 200 commands, so 200 x 300 ms is
   the floor; target: within 1.2x of it.
2. The reconciler's planning step alone for 10,000 two-door grants (target: under 1 s).
"""

import asyncio
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from bench.support import simulator_process
from ttlock_bridge.access import Access, GrantRequest
from ttlock_bridge.access.planner import Held, Passcode, PlacementView, next_step
from ttlock_bridge.cloud import Credentials, TTLockClient
from ttlock_bridge.config import load_config
from ttlock_bridge.simulator import Scenario, default_scenario
from ttlock_bridge.store import open_store

CREDENTIALS = Credentials.with_password(
    "demo-client-id", "demo-client-secret", "demo@example.com", "demo-password"
)
ROOMS = 200
GATEWAYS = 20
LATENCY_MS = 300
ENTRANCE = 3_000_000
PLANNED_GRANTS = 10_000


def hotel_scenario() -> Scenario:
    base = default_scenario().model_dump(mode="json")
    gateways = [{"id": 700_000 + g, "mac": f"DC:A4:53:86:{g:02X}:74"} for g in range(GATEWAYS)]
    locks = [
        {"id": ENTRANCE, "alias": "Main entrance", "mac": "ED:AE:90:FF:FF:01", "gateway": 700_000}
    ]
    locks += [
        {
            "id": ENTRANCE + n,
            "alias": f"Room {n}",
            "mac": f"ED:AE:90:{n // 256:02X}:{n % 256:02X}:66",
            "gateway": 700_000 + n % GATEWAYS,
        }
        for n in range(1, ROOMS + 1)
    ]
    return Scenario.model_validate({**base, "gateways": gateways, "locks": locks})


def hotel_config_text(base_url: str) -> str:
    """The bench hotel: `ROOMS` rooms, each with its door and the shared main entrance."""
    lines = [
        'data_dir = "data"',
        '[property]\nname = "Bench Hotel"\ntimezone = "Europe/Athens"',
        f'[cloud]\napi_base = "{base_url}"',
        f"[doors.main-entrance]\nlock_id = {ENTRANCE}",
    ]
    for n in range(1, ROOMS + 1):
        lines.append(f"[doors.room-{n}]\nlock_id = {ENTRANCE + n}")
        lines.append(f'[rooms.room-{n}]\ndoors = ["room-{n}"]\nshared_doors = ["main-entrance"]')
    return "\n".join(lines) + "\n"


def hotel_config(directory: Path, base_url: str) -> Path:
    path = directory / "ttlock-bridge.toml"
    path.write_text(hotel_config_text(base_url))
    return path


async def two_hundred_grants(base_url: str, directory: Path) -> tuple[float, int]:
    """Wall seconds to create and place 200 room grants; how many doors ended up active."""
    config = load_config(hotel_config(directory, base_url))
    store = open_store(config.store_url)
    tomorrow = (datetime.now(UTC) + timedelta(days=1)).date()
    async with TTLockClient(CREDENTIALS, api_base=base_url) as cloud:
        access = Access(config, store, cloud)
        await cloud.log_in()
        started = time.perf_counter()
        views = await asyncio.gather(
            *(
                access.grants.create(
                    GrantRequest(
                        start=tomorrow.isoformat(),
                        end=(tomorrow + timedelta(days=2)).isoformat(),
                        room=f"room-{n}",
                    )
                )
                for n in range(1, ROOMS + 1)
            )
        )
        elapsed = time.perf_counter() - started
    store.close()
    active = sum(door.status == "active" for view in views for door in view.doors)
    return elapsed, active


def planning_seconds() -> float:
    """Plan 10,000 grants x 2 doors, in every state the ledger can be in."""
    now = 1_800_000_000_000
    wanted = Passcode("582914", now, now + 86_400_000, "room-1 23-25/11 #tb-7K2QF9")
    older = Passcode("582914", now, now + 3_600_000, "room-1 23-25/11 #tb-7K2QF9")
    shapes = [
        PlacementView(wanted=wanted, held=None),
        PlacementView(wanted=wanted, held=Held(1, wanted)),
        PlacementView(wanted=wanted, held=Held(1, older)),
        PlacementView(wanted=None, held=Held(1, wanted)),
        PlacementView(wanted=wanted, held=None, in_doubt=True),
        PlacementView(wanted=wanted, held=None, next_attempt_ms=now + 1),
    ]
    placements = [shapes[n % len(shapes)] for n in range(PLANNED_GRANTS * 2)]
    started = time.perf_counter()
    steps = [next_step(placement, now) for placement in placements]
    elapsed = time.perf_counter() - started
    assert len(steps) == len(placements)
    return elapsed


def main() -> None:
    print("bench_access")
    plan = planning_seconds()
    verdict = "PASS" if plan < 1.0 else "FAIL"
    print(
        f"  planning {PLANNED_GRANTS} grants ({PLANNED_GRANTS * 2} placements): "
        f"{plan * 1000:.1f} ms (target < 1 s): {verdict}"
    )
    floor = ROOMS * LATENCY_MS / 1000
    with (
        tempfile.TemporaryDirectory() as directory,
        simulator_process(hotel_scenario(), latency_ms=LATENCY_MS) as base_url,
    ):
        elapsed, active = asyncio.run(two_hundred_grants(base_url, Path(directory)))
    verdict = "PASS" if elapsed <= 1.2 * floor and active == 2 * ROOMS else "FAIL"
    print(
        f"  {ROOMS} room grants ({2 * ROOMS} placements) at {LATENCY_MS} ms/command: "
        f"{elapsed:.1f} s, {active}/{2 * ROOMS} doors active "
        f"(floor {floor:.0f} s, target <= {1.2 * floor:.0f} s): {verdict}"
    )


if __name__ == "__main__":
    main()
