"""Where the bridge reads the time: injectable, so tests can follow a simulated clock."""

import time
from collections.abc import Callable

Clock = Callable[[], int]
"""Returns the current time as UTC epoch milliseconds."""


def wall_clock_ms() -> int:
    return time.time_ns() // 1_000_000
