"""/readyz, /metrics and /api/v1/usage: what an operator watches."""

from __future__ import annotations

import time
from typing import Any

from service.bridge import RunningBridge, StartBridge
from service.test_end_to_end import eventually


def test_ready_when_store_token_and_cloud_are_fine(bridge: RunningBridge) -> None:
    response = bridge.api.get("/readyz")

    assert response.status_code == 200
    body = response.json()
    assert body["ready"] is True
    assert {check["name"] for check in body["checks"]} == {
        "store",
        "token",
        "cloud",
        "replica",
        "channel:console",
    }
    assert "7 lock(s)" in next(c["detail"] for c in body["checks"] if c["name"] == "cloud")
    replica = next(c["detail"] for c in body["checks"] if c["name"] == "replica")
    assert replica.endswith(  # one serve on SQLite runs every job
        "nightly cleanup: this replica, gateway poll: this replica, lock clock check: this replica"
    )


def test_readiness_probes_do_not_burn_the_quota(bridge: RunningBridge) -> None:
    for _ in range(5):
        bridge.api.get("/readyz")

    assert bridge.simulator.state()["calls"]["/v3/lock/list"] == 1


def test_a_refused_password_makes_the_bridge_unready_with_the_reason(
    bridge: RunningBridge,
) -> None:
    bridge.simulator.control("users/demo@example.com/password", {"password": "changed"})
    bridge.simulator.control("tokens/expire")
    bridge.simulator.control("tokens/revoke-refresh")

    unlock = bridge.api.post("/api/v1/locks/room-1/unlock")
    ready = bridge.api.get("/readyz")

    assert unlock.status_code == 503
    assert unlock.json()["error"] == "cloud_unavailable"
    assert ready.status_code == 503
    token = next(check for check in ready.json()["checks"] if check["name"] == "token")
    assert token["ready"] is False
    assert token["detail"]


def test_metrics_cover_calls_queue_grants_and_callbacks(bridge: RunningBridge) -> None:
    bridge.api.post("/api/v1/locks/room-1/unlock")
    bridge.simulator.control("gateways/500001", {"online": False})
    bridge.api.post("/api/v1/locks/room-1/unlock")

    response = bridge.api.get("/metrics")

    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain")
    text = response.text
    assert 'ttlock_bridge_cloud_calls{endpoint="/v3/lock/unlock",period="day"} 2' in text
    assert 'ttlock_bridge_cloud_errors_total{errcode="-3002"} 1' in text
    assert "ttlock_bridge_reconciler_queue 0" in text
    assert 'ttlock_bridge_grants{state="active"} 0' in text
    assert "# TYPE ttlock_bridge_callbacks_total counter" in text


def test_usage_counts_calls_per_endpoint(bridge: RunningBridge) -> None:
    bridge.api.post("/api/v1/locks/room-1/unlock")
    bridge.api.post("/api/v1/locks/room-1/lock")

    usage = eventually(lambda: usage_between_calls(bridge))

    assert usage is not None, "cloud calls kept arriving for 15 s"
    assert usage["today"]["/v3/lock/unlock"] == 1
    assert usage["today"]["/v3/lock/lock"] == 1
    assert usage["this_month"]["/v3/lock/unlock"] == 1
    assert usage["total_today"] == sum(usage["today"].values())
    assert usage["total_today"] == sum(bridge.simulator.state()["calls"].values())


def usage_between_calls(bridge: RunningBridge) -> dict[str, Any] | None:
    """The usage report, once no cloud call was in flight while it was read: the start-up's
    background reads (lock list, gateways, lock clocks) run beside the test, and the simulator
    counts a call when it arrives, the bridge when its answer does."""
    before = sum(bridge.simulator.state()["calls"].values())
    usage: dict[str, Any] = bridge.api.get("/api/v1/usage").json()
    after = sum(bridge.simulator.state()["calls"].values())
    return usage if before == after == usage["total_today"] else None


def test_metrics_have_process_series_and_cloud_latency_per_endpoint(
    bridge: RunningBridge,
) -> None:
    bridge.api.post("/api/v1/locks/room-1/unlock")

    text = bridge.api.get("/metrics").text

    assert "process_resident_memory_bytes " in text
    assert "process_cpu_seconds_total " in text
    assert 'ttlock_bridge_cloud_call_seconds_count{endpoint="/v3/lock/unlock"} 1.0' in text
    assert 'ttlock_bridge_cloud_call_seconds_bucket{endpoint="/v3/lock/unlock",le="+Inf"} 1.0' in (
        text
    )
    assert "_created" not in text


def test_placements_wait_while_the_login_is_refused_instead_of_failing(
    bridge: RunningBridge,
) -> None:
    bridge.simulator.control("users/demo@example.com/password", {"password": "changed"})
    bridge.simulator.control("tokens/expire")
    bridge.simulator.control("tokens/revoke-refresh")

    created = bridge.api.post(
        "/api/v1/grants", json={"room": "room-1", "start": "2031-01-10", "end": "2031-01-12"}
    )

    assert created.status_code == 201
    deadline = time.monotonic() + 10
    while (grant := bridge.api.get(f"/api/v1/grants/{created.json()['id']}").json())["doors"][0][
        "status"
    ] not in ("pending", "failed"):
        assert time.monotonic() < deadline, grant
        time.sleep(0.1)
    assert {door["status"] for door in grant["doors"]} == {"pending"}


def test_readiness_never_calls_ttlock_even_before_the_lock_list_was_read(
    start_bridge: StartBridge,
) -> None:
    list_down = {"path": "/v3/lock/list", "errcode": 30002, "count": 1_000}
    bridge = start_bridge(before_start=lambda cloud: cloud.control("faults", list_down))
    time.sleep(1)  # the start-up read failed
    spent = bridge.simulator.state()["calls"]["/v3/lock/list"]

    probes = [bridge.api.get("/readyz") for _ in range(10)]

    assert bridge.simulator.state()["calls"]["/v3/lock/list"] == spent
    assert {probe.status_code for probe in probes} == {503}
    cloud = next(c for c in probes[-1].json()["checks"] if c["name"] == "cloud")
    assert "errcode 30002" in cloud["detail"]
