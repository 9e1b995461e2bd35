"""The monthly call budget: counted on TTLock's billing calendar (Beijing time), projected to
the month's end, and once spent it stops optional reads, never a placement or an unlock."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta

from service.bridge import RunningBridge, StartBridge
from ttlock_bridge.cloud.quota import Budget, BudgetState, billing_month
from ttlock_bridge.store.cloud_calls import call_periods


def ms(text: str) -> int:
    return int(datetime.fromisoformat(text).astimezone(UTC).timestamp() * 1000)


def test_the_billing_month_turns_at_midnight_beijing_time() -> None:
    assert billing_month(ms("2026-11-30T15:59:59+00:00")) == "2026-11"
    assert billing_month(ms("2026-11-30T16:00:00+00:00")) == "2026-12"
    assert call_periods(ms("2026-11-30T16:00:00+00:00")) == ("2026-11-30", "2026-12")


def test_the_budget_projects_the_month_and_names_its_state() -> None:
    half_of_november = ms("2026-11-16T00:00:00+08:00")

    budget = Budget.at(half_of_november, used=9_000, budget=20_000)

    assert budget.month == "2026-11"
    assert budget.projected == 18_000
    assert budget.state is BudgetState.OK
    assert Budget.at(half_of_november, 16_000, 20_000).state is BudgetState.WARNING
    assert Budget.at(half_of_november, 20_000, 20_000).state is BudgetState.EXHAUSTED


def test_a_spent_budget_stops_polls_but_never_an_unlock_or_a_placement(
    start_bridge: StartBridge,
) -> None:
    bridge = start_bridge(cloud={"monthly_budget": 10, "gateway_poll": timedelta(seconds=1)})
    deadline = time.monotonic() + 10
    while (usage := bridge.api.get("/api/v1/usage").json())["budget_state"] != "exhausted":
        assert time.monotonic() < deadline, usage
        time.sleep(0.1)
    assert usage["monthly_budget"] == 10
    assert usage["projected_month"] >= usage["total_this_month"]
    polls = bridge.simulator.state()["calls"]["/v3/gateway/list"]

    time.sleep(2.5)  # two poll periods pass
    unlock = bridge.api.post("/api/v1/locks/room-1/unlock")
    today = datetime.now(UTC).date()
    grant = bridge.api.post(
        "/api/v1/grants",
        json={"room": "room-1", "start": str(today), "end": str(today + timedelta(days=2))},
    )

    assert bridge.simulator.state()["calls"]["/v3/gateway/list"] == polls
    assert unlock.status_code == 200
    assert grant.status_code == 201
    deadline = time.monotonic() + 10
    while {door["status"] for door in grant.json()["doors"]} != {"active"}:
        assert time.monotonic() < deadline, grant.json()
        time.sleep(0.1)
        grant = bridge.api.get(f"/api/v1/grants/{grant.json()['id']}")
    assert "ttlock_bridge_cloud_monthly_budget 10.0" in bridge.api.get("/metrics").text


def test_ttlocks_own_limit_answer_spends_the_budget_whatever_was_counted(
    bridge: RunningBridge,
) -> None:
    bridge.simulator.control("faults", {"path": "/v3/lock/unlock", "errcode": 30007})

    assert bridge.api.post("/api/v1/locks/room-1/unlock").status_code == 503

    assert bridge.api.get("/api/v1/usage").json()["budget_state"] == "exhausted"


def test_an_hour_into_the_month_projects_from_a_day_at_least() -> None:
    budget = Budget.at(ms("2026-12-01T01:00:00+08:00"), used=100, budget=20_000)

    assert budget.projected == 3_100  # 100 a day for December's 31 days
