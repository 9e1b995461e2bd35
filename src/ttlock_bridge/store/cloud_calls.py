"""Counts of TTLock cloud calls per endpoint, per UTC day and per TTLock billing month (Beijing
time, reference §18): quota is money."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from ttlock_bridge.cloud.quota import billing_month
from ttlock_bridge.store.models import CloudCallCount
from ttlock_bridge.store.upsert import insert_for


def call_periods(at_ms: int) -> tuple[str, str]:
    """The UTC day and the billing month an instant counts towards: `("2026-11-22", "2026-11")`;
    the month turns on the 1st at 00:00 Beijing time (16:00 UTC the day before)."""
    day = datetime.fromtimestamp(at_ms / 1000, UTC).date().isoformat()
    return day, billing_month(at_ms)


def record_cloud_calls(session: Session, endpoint: str, at_ms: int, calls: int = 1) -> None:
    """Add `calls` to the endpoint's counters for the day and the month of `at_ms`."""
    for period in call_periods(at_ms):
        statement = insert_for(session, CloudCallCount).values(
            endpoint=endpoint, period=period, count=calls
        )
        session.execute(
            statement.on_conflict_do_update(
                index_elements=["endpoint", "period"],
                set_={"count": CloudCallCount.count + statement.excluded.count},
            )
        )


LIMIT_ANSWERS = "(limit answers)"
"""The counter of TTLock's own 30006/30007 answers, kept beside the endpoints' (an endpoint is
a path and starts with "/"): one such answer means the month is spent, for every process."""


def cloud_call_counts(session: Session, period: str) -> dict[str, int]:
    """Calls per endpoint in one period (`2026-11-22` or `2026-11`)."""
    rows = session.execute(
        select(CloudCallCount.endpoint, CloudCallCount.count)
        .where(CloudCallCount.period == period, CloudCallCount.endpoint.startswith("/"))
        .order_by(CloudCallCount.endpoint)
    )
    return {endpoint: count for endpoint, count in rows}  # noqa: C416 - Rows, not pairs


def limit_answers(session: Session, month: str) -> int:
    """How many times TTLock answered "call limit reached" in the billing month `month`."""
    count = session.scalar(
        select(CloudCallCount.count).where(
            CloudCallCount.period == month, CloudCallCount.endpoint == LIMIT_ANSWERS
        )
    )
    return count or 0
