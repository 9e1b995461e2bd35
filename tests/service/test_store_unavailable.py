"""A database that says no (issue 19, item 12): 503 JSON with Retry-After, /readyz tells, the
start-up log tells, and a callback is answered so that TTLock sends it again."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from conftest import RunningSimulator
from service.bridge import RunningBridge, StartBridge
from service.database_faults import locked_by_another_process, read_only
from service.serve_process import DATABASE, serving
from service.test_callback import callback_form
from service.test_callback_trust import database, events
from service.test_grants import stay

WAIT_S = 20.0


def store_check(bridge: RunningBridge) -> tuple[int, dict[str, Any]]:
    response = bridge.api.get("/readyz")
    check = next(c for c in response.json()["checks"] if c["name"] == "store")
    return response.status_code, check


def assert_503_retry_later(response: Any) -> None:
    assert response.status_code == 503
    assert response.headers["content-type"] == "application/json"
    assert response.json()["error"] == "store_unavailable"
    assert int(response.headers["Retry-After"]) > 0


def test_a_database_locked_by_another_process_answers_503_and_loses_no_callback(
    bridge: RunningBridge,
) -> None:
    form = callback_form()
    bridge.api.get("/api/v1/locks")  # the MAC is known: only the store stands in the way

    with locked_by_another_process(database(bridge)):  # the bridge waits out 5 s, then says so
        callback = bridge.anonymous.post("/ttlock/callback", data=form, timeout=WAIT_S)
        grant = bridge.api.post("/api/v1/grants", json=stay(), timeout=WAIT_S)
        status, check = store_check(bridge)

    assert_503_retry_later(callback)
    assert callback.text != "success"  # TTLock sends it again
    assert_503_retry_later(grant)
    assert status == 503
    assert check["ready"] is False
    assert "locked" in check["detail"]
    assert store_check(bridge) == (200, {"name": "store", "ready": True,
                                         "detail": "reachable and writable"})  # fmt: skip
    assert bridge.anonymous.post("/ttlock/callback", data=form).text == "success"  # the retry
    assert len(events(bridge)) == 1
    assert bridge.api.get("/api/v1/grants").status_code == 200


def test_a_read_only_database_answers_503_and_readyz_says_why(
    start_bridge: StartBridge,
) -> None:
    first = start_bridge()
    first.api.get("/api/v1/locks")

    with read_only(database(first)):
        bridge = start_bridge()
        callback = bridge.anonymous.post("/ttlock/callback", data=callback_form())
        status, check = store_check(bridge)
        reads = [bridge.api.get(path).status_code for path in ("/api/v1/events", "/healthz")]

    assert_503_retry_later(callback)
    assert status == 503
    assert "readonly" in check["detail"]
    assert reads == [200, 200]


def test_start_up_says_the_database_cannot_be_written(
    simulator: RunningSimulator, tmp_path: Path
) -> None:
    with serving(tmp_path, simulator) as (first, _):
        assert first.get("/readyz").status_code == 200
    db = tmp_path / DATABASE

    with locked_by_another_process(db), serving(tmp_path, simulator) as (bridge, log):
        ready = bridge.get("/readyz")

    assert ready.status_code == 503
    assert "event=store_unavailable at=start reason='database is locked'" in log.read_text()
