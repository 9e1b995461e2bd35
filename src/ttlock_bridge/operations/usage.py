"""Cloud API usage kept across restarts, and the monthly budget: the client counts calls in
memory, this copies the new counts into the store's `cloud_calls` table and tells whether
optional reads may still spend calls this billing month (quota is money, DESIGN invariant 6)."""

from __future__ import annotations

import asyncio
import logging
import time
from dataclasses import dataclass, replace

from ttlock_bridge.cloud import CallOutcome, TTLockClient
from ttlock_bridge.cloud.quota import QUOTA_ERRCODES, Budget, BudgetState, billing_month
from ttlock_bridge.store import Store
from ttlock_bridge.store.cloud_calls import call_periods, cloud_call_counts, record_cloud_calls

log = logging.getLogger("ttlock_bridge.operations")


@dataclass(frozen=True, slots=True)
class Usage:
    """Calls per endpoint today (UTC) and this billing month (Beijing time), including earlier
    runs of the service."""

    day: str
    month: str
    today: dict[str, int]
    this_month: dict[str, int]


class CloudUsage:
    """Moves the client's call counts into the store; `flush` is cheap and safe to repeat.

    Counts made after the last flush of a UTC day are lost if the process stops before the
    next one, so the service flushes every minute and at shutdown.
    """

    def __init__(self, store: Store, cloud: TTLockClient, monthly_budget: int) -> None:
        self._store = store
        self._cloud = cloud
        self._monthly_budget = monthly_budget
        self._day = ""
        self._flushed: dict[str, int] = {}
        self._month: tuple[str, int] | None = None  # (billing month, calls stored for it)
        self._announced: tuple[str, BudgetState] | None = None
        self._refused_month = ""  # the billing month in which TTLock answered 30006/30007
        self._lock = asyncio.Lock()

    def budget(self) -> Budget:
        """This billing month's calls (stored plus not yet flushed) against the budget.

        Until the first flush has read the store, only this process's calls are known."""
        now_ms = int(time.time() * 1000)
        month = billing_month(now_ms)
        stored = self._month[1] if self._month and self._month[0] == month else 0
        unflushed = sum(self._cloud.quota().today.values()) - sum(self._flushed.values())
        budget = Budget.at(now_ms, stored + max(0, unflushed), self._monthly_budget)
        return replace(budget, refused=self._refused_month == month)

    def observe(self, call: CallOutcome) -> None:
        """TTLock's own limit answer means the month's calls are spent, whatever we counted."""
        if call.errcode in QUOTA_ERRCODES:
            self._refused_month = billing_month(int(time.time() * 1000))

    def optional_reads_allowed(self) -> bool:
        """False once the month's budget is spent: refreshes and polls wait for the 1st, while
        placements, deletions and remote commands go on."""
        return self.budget().state is not BudgetState.EXHAUSTED

    async def flush(self) -> None:
        async with self._lock:
            snapshot = self._cloud.quota()
            if snapshot.day != self._day:
                self._day, self._flushed = snapshot.day, {}
            new_calls = {
                endpoint: count - self._flushed.get(endpoint, 0)
                for endpoint, count in snapshot.today.items()
                if count > self._flushed.get(endpoint, 0)
            }
            if new_calls or self._month is None:
                self._month = await asyncio.to_thread(self._record, new_calls)
                self._flushed = dict(snapshot.today)
            self._announce_budget()

    async def usage(self) -> Usage:
        await self.flush()
        return await asyncio.to_thread(self._read)

    def _announce_budget(self) -> None:
        """Log once per month when the budget reaches its warning share, and when it is spent."""
        budget = self.budget()
        if budget.state is BudgetState.OK or self._announced == (budget.month, budget.state):
            return
        self._announced = (budget.month, budget.state)
        log.warning(
            "event=cloud_budget_%s month=%s used=%d budget=%d projected=%d",
            budget.state,
            budget.month,
            budget.used,
            budget.budget,
            budget.projected,
        )

    def _record(self, new_calls: dict[str, int]) -> tuple[str, int]:
        """Store the new counts; the billing month's stored total afterwards."""
        now_ms = int(time.time() * 1000)
        _, month = call_periods(now_ms)
        with self._store.transaction() as session:
            for endpoint, calls in new_calls.items():
                record_cloud_calls(session, endpoint, now_ms, calls)
            return month, sum(cloud_call_counts(session, month).values())

    def _read(self) -> Usage:
        day, month = call_periods(int(time.time() * 1000))
        with self._store.transaction() as session:
            return Usage(
                day, month, cloud_call_counts(session, day), cloud_call_counts(session, month)
            )
