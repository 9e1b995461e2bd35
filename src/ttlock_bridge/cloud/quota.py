"""Counts every request sent to TTLock, per endpoint, for the current day and month (UTC).

TTLock bills API calls per month (errcodes 30006/30007), so the service shows what it spends.
Days and months are UTC here; TTLock resets its own monthly counter on Beijing time, so the two
month figures can differ for the first eight hours of a month. Pure counter: persisting it is the
store's business.
"""

from collections import Counter
from dataclasses import dataclass
from datetime import UTC, datetime


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
