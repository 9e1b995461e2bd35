"""The `date` every TTLock call carries, corrected by what TTLock's own clock says.

TTLock refuses a `date` more than five minutes away from its clock (80000). Hosts that boot
before NTP has synchronised (a LogicMachine after a power cut) hit exactly that, so on 80000 the
client learns the offset from the answer's HTTP `Date` header and keeps using it.
"""

import time
from email.utils import parsedate_to_datetime


def server_time_ms(date_headers: list[str]) -> int | None:
    """TTLock's clock in epoch ms according to an HTTP `Date` header, if one is readable."""
    for header in date_headers:
        try:
            return int(parsedate_to_datetime(header).timestamp() * 1000)
        except (TypeError, ValueError):
            continue
    return None


class CloudClock:
    """The local clock plus the offset last observed against TTLock's clock (0 until then)."""

    def __init__(self) -> None:
        self.offset_ms = 0

    def now_ms(self) -> int:
        return int(time.time() * 1000) + self.offset_ms

    def align_to(self, server_ms: int) -> None:
        """Adopt TTLock's clock, as read from an answer that just arrived."""
        self.offset_ms = server_ms - int(time.time() * 1000)
