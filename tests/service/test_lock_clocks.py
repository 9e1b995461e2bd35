"""Lock clocks: a lock whose clock drifted is set to TTLock's time and reported; a lock whose
time-zone offset is not the property's is reported with what to do in the app."""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from service.bridge import ROOM_1, RunningBridge, StartBridge
from ttlock_bridge.locks.clocks import zone_offsets_ms
from ttlock_bridge.simulator import Scenario


def clock_of(bridge: RunningBridge, door: str) -> dict[str, Any] | None:
    found: dict[str, Any] | None = bridge.api.get(f"/api/v1/locks/{door}").json()["clock"]
    return found


def first_check(bridge: RunningBridge, door: str = "room-1") -> dict[str, Any]:
    """The door's clock as the start-up check found it (waits up to 10 s for it)."""
    deadline = time.monotonic() + 10
    while (clock := clock_of(bridge, door)) is None:
        assert time.monotonic() < deadline
        time.sleep(0.1)
    return clock


def room_1_with(**lock: object) -> Callable[[Scenario], Scenario]:
    """A scenario change: room-1's lock with these `LockConfig` fields."""

    def change(scenario: Scenario) -> Scenario:
        locks = [
            found.model_copy(update=lock) if found.id == ROOM_1 else found
            for found in scenario.locks
        ]
        return scenario.model_copy(update={"locks": locks})

    return change


def lock_in_simulator(bridge: RunningBridge, lock_id: int) -> dict[str, Any]:
    return next(lock for lock in bridge.simulator.state()["locks"] if lock["lockId"] == lock_id)


def test_a_drifted_lock_clock_is_set_and_reported(start_bridge: StartBridge) -> None:
    bridge = start_bridge(cloud={"clock_check": timedelta(seconds=1)})
    for drift_ms in (5 * 60_000, -3 * 3_600_000):  # ahead, behind by hours
        bridge.simulator.control(f"locks/{ROOM_1}", {"clockDriftMs": drift_ms})
        deadline = time.monotonic() + 10
        while (
            (clock := clock_of(bridge, "room-1")) is None
            or not clock["corrected"]
            or abs(clock["drift_seconds"] * 1000 - drift_ms) > 5_000
        ):
            assert time.monotonic() < deadline, clock
            time.sleep(0.1)

        assert lock_in_simulator(bridge, ROOM_1)["clockDriftMs"] == 0
    metrics = bridge.api.get("/metrics").text
    assert 'ttlock_bridge_lock_clock_drift_seconds{door="room-1"}' in metrics


def test_a_clock_within_tolerance_is_left_alone(bridge: RunningBridge) -> None:
    bridge.simulator.control(f"locks/{ROOM_1}", {"clockDriftMs": 30_000})
    clock = first_check(bridge)

    assert clock["corrected"] is False
    assert lock_in_simulator(bridge, ROOM_1)["clockDriftMs"] == 30_000
    assert bridge.simulator.state()["calls"].get("/v3/lock/updateDate", 0) == 0


def test_a_lock_in_another_time_zone_is_reported_with_what_to_do(
    start_bridge: StartBridge,
) -> None:
    bridge = start_bridge(room_1_with(timezone_offset_ms=5 * 3_600_000))  # five hours east
    clock = first_check(bridge)

    assert clock["zone_problem"] is not None
    assert "UTC+5" in clock["zone_problem"]
    assert "UTC+1 or UTC+2" in clock["zone_problem"]  # Berlin's winter and summer offsets
    assert "3 h off" in clock["zone_problem"]  # from the nearest of them
    assert "TTLock app" in clock["zone_problem"]


def test_a_lock_added_in_the_other_season_is_no_zone_problem(start_bridge: StartBridge) -> None:
    bridge = start_bridge(room_1_with(timezone_offset_ms=2 * 3_600_000))  # Berlin's summer
    clock = first_check(bridge)

    assert clock["zone_problem"] is None


@pytest.mark.parametrize(
    ("zone", "offsets_h"),
    [("Europe/Berlin", [1, 2]), ("Asia/Tokyo", [9]), ("Australia/Sydney", [10, 11])],
)
def test_a_zone_offers_the_offsets_it_uses_in_the_year(zone: str, offsets_h: list[int]) -> None:
    assert zone_offsets_ms(ZoneInfo(zone), 2026) == [hours * 3_600_000 for hours in offsets_h]


def test_the_drift_report_lists_the_clocks_the_last_check_found_wrong(
    start_bridge: StartBridge,
) -> None:
    bridge = start_bridge(room_1_with(clock_drift_ms=5 * 60_000))  # five minutes ahead
    assert first_check(bridge)["corrected"]

    report = bridge.api.get("/api/v1/drift").json()

    assert [(found["door"], found["corrected"]) for found in report["clocks"]] == [("room-1", True)]
    assert abs(report["clocks"][0]["drift_seconds"] - 300) <= 5
