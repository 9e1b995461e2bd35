"""Gateway health: each door knows whether a gateway reaches it, from the gateway poll and from
the answers of commands sent through it; the API, metrics and lock news show it."""

from __future__ import annotations

import time
from datetime import date, timedelta
from typing import Any

from access.conftest import door_modes
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


def grant_doors(bridge: RunningBridge, grant_id: int) -> dict[str, dict[str, Any]]:
    grant = bridge.api.get(f"/api/v1/grants/{grant_id}").json()
    return {found["door"]: found for found in grant["doors"]}


def wait_until_active(bridge: RunningBridge, grant_id: int, within_s: float) -> None:
    deadline = time.monotonic() + within_s
    while {found["status"] for found in grant_doors(bridge, grant_id).values()} != {"active"}:
        assert time.monotonic() < deadline, grant_doors(bridge, grant_id)
        time.sleep(0.1)


def stay() -> dict[str, str]:
    tomorrow = date.today() + timedelta(days=1)
    return {"room": "room-1", "start": str(tomorrow), "end": str(tomorrow + timedelta(days=2))}


def test_codes_waiting_for_an_offline_gateway_are_placed_as_soon_as_it_is_back(
    start_bridge: StartBridge,
) -> None:
    bridge = start_bridge(cloud={"gateway_poll": timedelta(seconds=1)})
    wait_for_gateway(bridge, "room-1", "online", within_s=5)
    bridge.simulator.control(f"gateways/{GATEWAY}", {"online": False})
    grant_id = bridge.api.post("/api/v1/grants", json=stay()).json()["id"]
    waiting = grant_doors(bridge, grant_id)["room-1"]
    assert (waiting["status"], waiting["errcode"]) == ("pending", -3002)
    assert waiting["next_attempt"] is not None

    bridge.simulator.control(f"gateways/{GATEWAY}", {"online": True})

    # the next poll (1 s) sees the gateway back; the placements do not wait for their backoff
    # (30 s and more) nor for the reconciler's 30 s pass
    wait_until_active(bridge, grant_id, within_s=5)


def test_a_door_given_a_gateway_places_the_codes_that_failed_for_want_of_one(
    start_bridge: StartBridge,
) -> None:
    bridge = start_bridge(config_change=door_modes("online", "room-1"))  # auto: offline code
    bridge.simulator.control("locks/1000002", {"gateway": None})
    grant_id = bridge.api.post("/api/v1/grants", json=stay()).json()["id"]
    failed = grant_doors(bridge, grant_id)["room-1"]
    assert (failed["status"], failed["errcode"]) == ("failed", -2012)

    bridge.simulator.control("locks/1000002", {"gateway": int(GATEWAY)})
    # the installer tries the new gateway with a remote unlock: its answer proves the way works
    assert bridge.api.post("/api/v1/locks/room-1/unlock").status_code == 200

    wait_until_active(bridge, grant_id, within_s=5)


def test_an_answer_about_one_lock_tells_every_door_behind_the_same_gateway(
    bridge: RunningBridge,
) -> None:
    for name in ("room-1", "room-3", "main-entrance"):
        wait_for_gateway(bridge, name, "online", within_s=5)  # the start-up poll read the links
    bridge.simulator.control(f"gateways/{GATEWAY}", {"online": False})

    assert bridge.api.post("/api/v1/locks/room-1/unlock").status_code == 502

    # no poll ran (15 min): the one gateway that serves the hotel is down for every door
    assert door(bridge, "room-3")["gateway"] == "offline"
    assert door(bridge, "main-entrance")["gateway"] == "offline"

    bridge.simulator.control(f"gateways/{GATEWAY}", {"online": True})
    assert bridge.api.post("/api/v1/locks/room-1/unlock").status_code == 200
    wait_for_gateway(bridge, "room-3", "online", within_s=5)  # room-1's links are read again
