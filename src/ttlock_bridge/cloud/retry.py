"""When to try a failed call again, and after how long: pure, so it can be tested without time.

Exponential backoff with jitter (half fixed, half random) so that commands that failed together
do not come back together, bounded both in attempts and in total time so that a caller always
gets an answer in predictable time.
"""

import random
from dataclasses import dataclass, field

from ttlock_bridge.cloud.errors import TTLockError


@dataclass(frozen=True)
class RetryPolicy:
    """Delays grow as base_delay * 2**n up to max_delay; no retry starts after max_elapsed."""

    base_delay: float = 1.0
    max_delay: float = 8.0
    max_attempts: int = 5
    max_elapsed: float = 30.0
    rng: random.Random = field(default_factory=random.Random, compare=False, repr=False)

    def delay_after(self, error: TTLockError, attempt: int, elapsed: float) -> float | None:
        """Seconds to wait before attempt `attempt + 1`, or None to give up with `error`.

        `attempt` counts from 1 (the first try); `elapsed` is the time spent so far.
        """
        if not error.transient or attempt >= self.max_attempts:
            return None
        delay = jittered_backoff(attempt, base=self.base_delay, cap=self.max_delay, rng=self.rng)
        if elapsed + delay > self.max_elapsed:
            return None
        return delay


def jittered_backoff(attempt: int, *, base: float, cap: float, rng: random.Random) -> float:
    """The wait after failure number `attempt` (from 1): base * 2**(attempt-1), capped at `cap`,
    of which the upper half is random so that a crowd of failures spreads out."""
    ceiling = min(cap, base * 2.0 ** (attempt - 1))
    return ceiling / 2 + rng.uniform(0, ceiling / 2)
