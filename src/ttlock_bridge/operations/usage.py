"""Cloud API usage kept across restarts, and the monthly budget: every request sent to TTLock is
counted here as it ends (the client's call observer), copied into the store's `cloud_calls`
table by `flush`, and weighed against the budget to tell whether optional reads may still spend
calls this billing month (quota is money, DESIGN invariant 6).

The service and every CLI command that talks to TTLock count through this one ledger, so the
budget sees every call made with the account's credentials from this installation."""

from __future__ import annotations

import asyncio
import logging
from collections import Counter
from dataclasses import dataclass, replace

from ttlock_bridge.clock import Clock, wall_clock_ms
from ttlock_bridge.cloud import CallOutcome
from ttlock_bridge.cloud.quota import QUOTA_ERRCODES, Budget, BudgetState, billing_month
from ttlock_bridge.config import CloudSettings
from ttlock_bridge.store import Store
from ttlock_bridge.store.cloud_calls import (
    LIMIT_ANSWERS,
    call_periods,
    cloud_call_counts,
    limit_answers,
    record_cloud_calls,
)

log = logging.getLogger("ttlock_bridge.operations")

MINUTE_MS = 60_000
"""Calls wait for their flush in minute buckets: UTC days and Beijing billing months both turn
on a whole minute, so a bucket never straddles two periods and no call lands in the wrong one."""


DAY_S = 86_400
MONTH_DAYS = 30


def scheduled_calls_per_month(cloud: CloudSettings, doors: int) -> int:
    """What the bridge's own schedule spends in a 30-day month before any stay or unlock: the
    gateway polls, the lock lists (`detail_refresh`), a detail per door a day, and the lock
    clock checks (one per door each `clock_check`). See docs/operations.md."""
    per_day = (
        DAY_S / cloud.gateway_poll.total_seconds()
        + DAY_S / cloud.detail_refresh.total_seconds()
        + doors
        + doors * DAY_S / cloud.clock_check.total_seconds()
    )
    return round(per_day * MONTH_DAYS)


@dataclass(frozen=True, slots=True)
class Usage:
    """Calls per endpoint today (UTC) and this billing month (Beijing time), including earlier
    runs of the service and CLI commands."""

    day: str
    month: str
    today: dict[str, int]
    this_month: dict[str, int]


class CloudUsage:
    """Counts calls as they end; `flush` stores them and is cheap and safe to repeat.

    Calls not flushed yet are lost only if the process dies without its shutdown flush; the
    service flushes every minute and at shutdown, a CLI command when it ends.
    """

    def __init__(self, store: Store, monthly_budget: int, *, clock: Clock = wall_clock_ms) -> None:
        self._store = store
        self._monthly_budget = monthly_budget
        self._clock = clock
        self._unflushed: Counter[tuple[int, str]] = Counter()  # (minute start ms, endpoint)
        self._month: tuple[str, int] | None = None  # (billing month, calls stored for it)
        self._announced: tuple[str, BudgetState] | None = None
        self._refused_month = ""  # the billing month in which TTLock answered 30006/30007
        self._limit_answers: Counter[int] = Counter()  # not stored yet, by minute start ms
        self._lock = asyncio.Lock()

    def budget(self) -> Budget:
        """This billing month's calls (stored plus not yet flushed) against the budget.

        Until the first flush has read the store, only this process's calls are known."""
        now_ms = self._clock()
        month = billing_month(now_ms)
        stored = self._month[1] if self._month and self._month[0] == month else 0
        unflushed = sum(
            calls
            for (minute_ms, _), calls in self._unflushed.items()
            if billing_month(minute_ms) == month
        )
        budget = Budget.at(now_ms, stored + unflushed, self._monthly_budget)
        return replace(budget, refused=self._refused_month == month)

    def observe(self, call: CallOutcome) -> None:
        """Count a request that ended (answered or not: TTLock counts what it received, and a
        lost answer may have been received). TTLock's own limit answer means the month's calls
        are spent, whatever we counted."""
        now_ms = self._clock()
        minute_ms = now_ms - now_ms % MINUTE_MS
        self._unflushed[(minute_ms, call.endpoint)] += 1
        if call.errcode in QUOTA_ERRCODES:
            self._refused_month = billing_month(now_ms)
            self._limit_answers[minute_ms] += 1

    def optional_reads_allowed(self) -> bool:
        """False once the month's budget is spent: refreshes and polls wait for the 1st, while
        placements, deletions and remote commands go on."""
        return self.budget().state is not BudgetState.EXHAUSTED

    async def flush(self) -> None:
        """Store the calls counted since the last flush, each in its own day and month."""
        async with self._lock:
            taken, self._unflushed = self._unflushed, Counter()
            refusals, self._limit_answers = self._limit_answers, Counter()
            if taken or refusals or self._month is None:
                try:
                    self._month = await asyncio.to_thread(self._record, taken, refusals)
                except BaseException:
                    self._unflushed.update(taken)  # kept for the next flush
                    self._limit_answers.update(refusals)
                    raise
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

    def _record(self, calls: Counter[tuple[int, str]], refusals: Counter[int]) -> tuple[str, int]:
        """Store the counts and TTLock's limit answers; the current billing month's stored
        total afterwards (and whether TTLock refused in it, from any process)."""
        _, month = call_periods(self._clock())
        with self._store.transaction() as session:
            for (minute_ms, endpoint), count in sorted(calls.items()):
                record_cloud_calls(session, endpoint, minute_ms, count)
            for minute_ms, count in sorted(refusals.items()):
                record_cloud_calls(session, LIMIT_ANSWERS, minute_ms, count)
            if limit_answers(session, month):
                self._refused_month = month
            return month, sum(cloud_call_counts(session, month).values())

    def _read(self) -> Usage:
        day, month = call_periods(self._clock())
        with self._store.transaction() as session:
            return Usage(
                day, month, cloud_call_counts(session, day), cloud_call_counts(session, month)
            )
