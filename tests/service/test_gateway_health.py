"""Gateway health: each door knows whether a gateway reaches it, from the gateway poll and from
the answers of commands sent through it; the API, metrics and lock news show it."""

from __future__ import annotations

import time
from datetime import timedelta
from typing import Any

from service.bridge import RunningBridge, StartBridge

GATEWAY = "500001"  # the demo hotel's one gateway


def door(bridge: RunningBridge, name: str) -> dict[str, Any]:
    found: dict[str, Any] = bridge.api.get(f"/api/v1/locks/{name}").json()
    return found


def wait_for_gateway(bridge: RunningBridge, name: str, state: str, within_s: float) -> None:
    deadline = time.monotonic() + within_s
    while door(bridge, name)["gateway"] != state:
        assert time.monotonic() < deadline, f"{name}'s gateway never became {state}"
        time.sleep(0.1)


def test_a_gateway_going_offline_and_back_shows_within_one_poll(
    start_bridge: StartBridge,
) -> None:
    bridge = start_bridge(cloud={"gateway_poll": timedelta(seconds=1)})
    wait_for_gateway(bridge, "room-1", "online", within_s=5)

    bridge.simulator.control(f"gateways/{GATEWAY}", {"online": False})
    wait_for_gateway(bridge, "room-1", "offline", within_s=3)
    assert 'ttlock_bridge_door_gateway_online{door="room-1"} 0.0' in bridge.api.get("/metrics").text

    bridge.simulator.control(f"gateways/{GATEWAY}", {"online": True})
    wait_for_gateway(bridge, "room-1", "online", within_s=3)
    assert door(bridge, "room-1")["gateway_at"] is not None


def test_a_command_refused_for_an_offline_gateway_marks_the_door_at_once(
    bridge: RunningBridge,
) -> None:
    wait_for_gateway(bridge, "room-1", "online", within_s=5)  # the start-up poll
    bridge.simulator.control(f"gateways/{GATEWAY}", {"online": False})

    assert bridge.api.post("/api/v1/locks/room-1/unlock").status_code == 502

    assert door(bridge, "room-1")["gateway"] == "offline"
    bridge.simulator.control(f"gateways/{GATEWAY}", {"online": True})
    assert bridge.api.post("/api/v1/locks/room-1/unlock").status_code == 200
    assert door(bridge, "room-1")["gateway"] == "online"


def test_a_lock_without_a_gateway_reads_none(start_bridge: StartBridge) -> None:
    bridge = start_bridge()
    bridge.simulator.control("locks/1000002", {"gateway": None})

    unlock = bridge.api.post("/api/v1/locks/room-1/unlock")
    assert unlock.status_code == 502
    assert unlock.json()["errcode"] == -2012

    assert door(bridge, "room-1")["gateway"] == "none"
