"""Counts every request sent to TTLock, and where a billing month stands against a budget.

TTLock bills API calls per month (errcodes 30006/30007), so the service shows what it spends.
`QuotaCounter` counts this process's calls per UTC day and month in memory (persisting them is
the store's business); `billing_month` and `Budget` follow TTLock's own calendar, whose month
turns on Beijing time (reference §18).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo


@dataclass(frozen=True)
class QuotaSnapshot:
    """Call counts at one moment: `day` is "YYYY-MM-DD", `month` is "YYYY-MM" (UTC)."""

    day: str
    month: str
    today: dict[str, int]
    this_month: dict[str, int]

    @property
    def total_today(self) -> int:
        return sum(self.today.values())

    @property
    def total_this_month(self) -> int:
        return sum(self.this_month.values())


class QuotaCounter:
    """Per-endpoint call counts that roll over at UTC midnight and at the start of each month."""

    def __init__(self) -> None:
        self._day = ""
        self._month = ""
        self._today: Counter[str] = Counter()
        self._this_month: Counter[str] = Counter()

    def record(self, endpoint: str, at: datetime) -> None:
        """Count one request to `endpoint` (a path such as "/v3/lock/unlock") sent at `at`."""
        self._roll_over(at)
        self._today[endpoint] += 1
        self._this_month[endpoint] += 1

    def snapshot(self, at: datetime) -> QuotaSnapshot:
        self._roll_over(at)
        return QuotaSnapshot(self._day, self._month, dict(self._today), dict(self._this_month))

    def _roll_over(self, at: datetime) -> None:
        utc = at.astimezone(UTC)
        day, month = utc.strftime("%Y-%m-%d"), utc.strftime("%Y-%m")
        if day != self._day:
            self._day, self._today = day, Counter()
        if month != self._month:
            self._month, self._this_month = month, Counter()


BILLING_ZONE = ZoneInfo("Asia/Shanghai")
"""TTLock's monthly call limit (30007) resets on the 1st, Beijing time (reference §18)."""

QUOTA_ERRCODES = frozenset({30006, 30007})
"""TTLock's own "call limit reached" answers (reference §18)."""

WARN_AT = 0.8
"""Share of the monthly budget at which the bridge warns once."""


def billing_month(at_ms: int) -> str:
    """The TTLock billing month an instant (UTC epoch ms) counts towards: "2026-11"."""
    return datetime.fromtimestamp(at_ms / 1000, BILLING_ZONE).strftime("%Y-%m")


class BudgetState(StrEnum):
    """Where this month's calls stand against `[cloud] monthly_budget`."""

    OK = "ok"
    WARNING = "warning"  # WARN_AT or more used: placements, deletions and unlocks go on
    EXHAUSTED = "exhausted"  # all used: optional reads (refreshes, polls) stop until the 1st


@dataclass(frozen=True, slots=True)
class Budget:
    """This billing month's calls against the budget, with a straight-line projection of the
    month's total (calls) from the share of the month that has passed (a day at least)."""

    month: str
    used: int
    budget: int
    projected: int

    refused: bool = False  # TTLock itself answered 30006/30007 this month

    @property
    def state(self) -> BudgetState:
        if self.refused or self.used >= self.budget:
            return BudgetState.EXHAUSTED
        if self.used >= WARN_AT * self.budget:
            return BudgetState.WARNING
        return BudgetState.OK

    @classmethod
    def at(cls, at_ms: int, used: int, budget: int) -> Budget:
        local = datetime.fromtimestamp(at_ms / 1000, BILLING_ZONE)
        start = local.replace(day=1, hour=0, minute=0, second=0, microsecond=0)
        end = (start + timedelta(days=32)).replace(day=1)
        # a day at least: an hour into the month says little about its pace
        passed = max(local - start, timedelta(days=1)) / (end - start)
        projected = round(used / passed)
        return cls(local.strftime("%Y-%m"), used, budget, max(used, projected))
