"""Reads from what the bridge knows: lock details, the lock list and gateways come from a cache
refreshed at most every `[cloud] detail_refresh`, so polling the API costs no TTLock calls."""

from __future__ import annotations

import time
from datetime import timedelta

from service.bridge import ROOM_1, MovableClock, RunningBridge, StartBridge


def calls(bridge: RunningBridge, endpoint: str) -> int:
    count: int = bridge.simulator.state()["calls"].get(endpoint, 0)
    return count


def wait_for_warm_cache(bridge: RunningBridge) -> None:
    """The start-up refresh reads the lock list and every door's detail in the background."""
    deadline = time.monotonic() + 10
    while calls(bridge, "/v3/lock/detail") < 7:
        assert time.monotonic() < deadline, "the start-up refresh did not read every detail"
        time.sleep(0.05)


def test_polling_the_compat_route_costs_no_detail_call(bridge: RunningBridge) -> None:
    wait_for_warm_cache(bridge)
    before = calls(bridge, "/v3/lock/detail")

    for _ in range(500):
        assert bridge.api.get(f"/{ROOM_1}").status_code == 200

    assert calls(bridge, "/v3/lock/detail") == before


def test_the_lock_list_and_a_detail_are_served_from_the_cache_with_their_age(
    bridge: RunningBridge,
) -> None:
    wait_for_warm_cache(bridge)
    list_calls, gateway_calls = calls(bridge, "/v3/lock/list"), calls(bridge, "/v3/gateway/list")

    for _ in range(20):
        doors = bridge.api.get("/api/v1/locks").json()
        detail = bridge.api.get("/api/v1/locks/room-1").json()

    assert calls(bridge, "/v3/lock/list") == list_calls
    assert calls(bridge, "/v3/gateway/list") <= gateway_calls + 1  # first detail reads it once
    assert all(door["as_of"] for door in doors)
    assert detail["as_of"]
    assert detail["gateways"][0]["online"] is True


def test_refresh_true_reads_the_cloud_now_once_a_minute_at_most(
    start_bridge: StartBridge,
) -> None:
    clock = MovableClock()
    bridge = start_bridge(clock=clock)
    wait_for_warm_cache(bridge)
    bridge.simulator.control(f"locks/{ROOM_1}", {"battery": 12})
    before = calls(bridge, "/v3/lock/detail")
    refresh = {"refresh": "true"}

    soon = bridge.api.get("/api/v1/locks/room-1", params=refresh).json()  # read seconds ago
    clock.advance(61_000)
    fresh = bridge.api.get("/api/v1/locks/room-1", params=refresh).json()
    again = [bridge.api.get("/api/v1/locks/room-1", params=refresh) for _ in range(10)]

    assert soon["battery"] != 12
    assert fresh["battery"] == 12
    assert calls(bridge, "/v3/lock/detail") == before + 1
    assert {response.status_code for response in again} == {200}


def test_refresh_true_is_refused_once_the_budget_is_spent(start_bridge: StartBridge) -> None:
    bridge = start_bridge(cloud={"monthly_budget": 1})
    wait_for_warm_cache(bridge)
    before = calls(bridge, "/v3/lock/detail")

    refused = bridge.api.get("/api/v1/locks/room-1", params={"refresh": "true"})
    cached = bridge.api.get("/api/v1/locks/room-1")

    assert refused.status_code == 429
    assert refused.json()["error"] == "budget_spent"
    assert "drop ?refresh=true" in refused.json()["hint"]
    assert cached.status_code == 200
    assert calls(bridge, "/v3/lock/detail") == before


def test_the_battery_is_known_from_the_lock_list_before_any_callback(
    bridge: RunningBridge,
) -> None:
    wait_for_warm_cache(bridge)

    state = bridge.api.get("/api/v1/locks/room-1/state").json()

    assert state["battery"] == 89
    assert state["battery_source"] == "cloud"
    assert state["battery_at"] is not None


def test_an_unlock_costs_no_detail_call(bridge: RunningBridge) -> None:
    wait_for_warm_cache(bridge)
    before = calls(bridge, "/v3/lock/detail")

    for _ in range(3):
        assert bridge.api.post("/api/v1/locks/room-1/unlock").status_code == 200

    assert calls(bridge, "/v3/lock/detail") == before
    assert calls(bridge, "/v3/lock/unlock") == 3


def test_an_unlock_of_a_door_whose_detail_was_never_read_costs_no_detail_call(
    start_bridge: StartBridge,
) -> None:
    details_down = {"path": "/v3/lock/detail", "http_status": 404, "count": 10_000}
    bridge = start_bridge(before_start=lambda cloud: cloud.control("faults", details_down))
    time.sleep(1)  # the start-up refresh failed on every detail
    bridge.simulator.control("faults/clear")
    before = calls(bridge, "/v3/lock/detail")

    assert bridge.api.post("/api/v1/locks/room-2/unlock").status_code == 200

    assert calls(bridge, "/v3/lock/detail") == before
    shown = bridge.api.get("/api/v1/locks/room-2/state").json()
    assert (shown["bolt"], shown["bolt_source"]) == ("unlocked", "command")


def test_one_lock_whose_detail_fails_does_not_keep_the_others_from_being_read(
    start_bridge: StartBridge,
) -> None:
    first_detail_fails = {"path": "/v3/lock/detail", "errcode": -3, "count": 1}
    bridge = start_bridge(before_start=lambda cloud: cloud.control("faults", first_detail_fails))

    wait_for_warm_cache(bridge)  # seven detail calls: the failed one and the six others

    assert bridge.api.get("/api/v1/locks/room-6").json()["as_of"]
    assert calls(bridge, "/v3/lock/detail") == 7


def test_a_two_door_stay_costs_two_cloud_calls(bridge: RunningBridge) -> None:
    wait_for_warm_cache(bridge)
    deadline = time.monotonic() + 10
    while calls(bridge, "/v3/lock/queryDate") < 7:  # the start-up clock check
        assert time.monotonic() < deadline
        time.sleep(0.05)
    before = sum(bridge.simulator.state()["calls"].values())

    created = bridge.api.post(
        "/api/v1/grants", json={"room": "room-1", "start": "2030-01-10", "end": "2030-01-12"}
    )

    assert created.status_code == 201
    assert {door["status"] for door in created.json()["doors"]} == {"active"}
    assert sum(bridge.simulator.state()["calls"].values()) - before == 2
    assert calls(bridge, "/v3/lock/listKeyboardPwd") == 0


def test_refresh_is_true_or_false_only(bridge: RunningBridge) -> None:
    for word in ("1", "yes", "on", "True"):
        assert bridge.api.get("/api/v1/locks", params={"refresh": word}).status_code == 422
        assert bridge.api.get("/api/v1/locks/room-1", params={"refresh": word}).status_code == 422


def test_the_passage_mode_is_read_once_and_again_after_the_bridge_changed_it(
    bridge: RunningBridge,
) -> None:
    path = "/api/v1/locks/main-entrance/passage-mode"
    before = calls(bridge, "/v3/lock/getPassageModeConfig")

    shown = [bridge.api.get(path).json() for _ in range(20)]
    assert calls(bridge, "/v3/lock/getPassageModeConfig") == before + 1
    assert shown[-1]["as_of"]
    assert shown[-1]["enabled"] is False

    change = {"enabled": True, "week_days": [6, 7]}
    assert bridge.api.put(path, json=change).status_code == 200
    assert bridge.api.get(path).json()["week_days"] == [6, 7]
    assert calls(bridge, "/v3/lock/getPassageModeConfig") == before + 2

    bridge.api.get(path, params={"refresh": "true"})  # read a moment ago: from the cache
    assert calls(bridge, "/v3/lock/getPassageModeConfig") == before + 2


def test_a_burst_of_reads_while_ttlock_fails_costs_one_failed_read(
    start_bridge: StartBridge,
) -> None:
    details_down = {"path": "/v3/lock/detail", "http_status": 404, "count": 10_000}
    bridge = start_bridge(before_start=lambda cloud: cloud.control("faults", details_down))
    first = bridge.api.get("/api/v1/locks/room-1")  # nothing cached: the start-up read failed
    spent = calls(bridge, "/v3/lock/detail")

    burst = [bridge.api.get("/api/v1/locks/room-1") for _ in range(20)]

    assert first.status_code == 502
    assert {response.status_code for response in burst} == {502}
    assert calls(bridge, "/v3/lock/detail") == spent


def test_a_refresh_reads_a_detail_again_only_when_the_lock_list_shows_new_settings(
    start_bridge: StartBridge,
) -> None:
    bridge = start_bridge(cloud={"detail_refresh": timedelta(seconds=1)})
    wait_for_warm_cache(bridge)
    details, lists = calls(bridge, "/v3/lock/detail"), calls(bridge, "/v3/lock/list")

    bridge.simulator.control(f"locks/{ROOM_1}", {"battery": 40})  # the list dates it anyway
    deadline = time.monotonic() + 10
    while calls(bridge, "/v3/lock/list") < lists + 3:
        assert time.monotonic() < deadline
        time.sleep(0.1)
    assert calls(bridge, "/v3/lock/detail") == details
    assert bridge.api.get("/api/v1/locks/room-1/state").json()["battery"] == 40

    bridge.simulator.control(f"locks/{ROOM_1}", {"timezoneRawOffset": 7_200_000})
    while calls(bridge, "/v3/lock/detail") == details:
        assert time.monotonic() < deadline, "the changed lock's detail was not read again"
        time.sleep(0.1)
    time.sleep(2)  # two more refreshes: nothing else changed
    assert calls(bridge, "/v3/lock/detail") == details + 1
