"""Where a TTLock billing month stands against a budget.

TTLock bills API calls per month (errcodes 30006/30007), so the service shows what it spends.
Counting them is the business of whoever observes the client's calls (the service's usage
ledger, `operations/usage.py`); `billing_month` and `Budget` follow TTLock's own calendar, whose
month turns on Beijing time (reference §18).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo

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
