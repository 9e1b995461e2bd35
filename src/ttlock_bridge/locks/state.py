"""The last known state of each lock (bolt, battery, clock), kept from callbacks and commands.

Pure bookkeeping, no I/O. News is ordered by when it reached the bridge or the cloud
(`heard_at_ms`), never by the lock's own clock (DESIGN invariant 8): a reading heard earlier
than the one kept changes nothing. TTLock often does not push the auto-lock event (reference
§16), so an unlock of a lock with an auto-lock time turns into "locked" once that time has
passed, marked `inferred` so nobody mistakes the deduction for a report. All times are epoch ms.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from ttlock_bridge.cloud import BoltState
from ttlock_bridge.locks.callback import CLOCK_PROBLEM_MS

AUTO_LOCK_SOURCE = "auto-lock"
"""The `bolt_source` of a state deduced from the auto-lock timer."""


@dataclass(frozen=True, slots=True)
class LockState:
    """What is known about one lock; each reading says where it came from and when.

    `bolt_at_ms` is when the bolt moved (the lock's date while its clock is right),
    `bolt_heard_at_ms` when that news arrived (the order of news). `clock_offset_ms` is the
    lock's clock minus the cloud's at its last record (None before the first record).
    """

    lock_id: int
    bolt: BoltState | None = None
    bolt_source: str | None = None
    bolt_at_ms: int | None = None
    bolt_heard_at_ms: int | None = None
    bolt_inferred: bool = False
    relocks_at_ms: int | None = None
    battery: int | None = None
    battery_source: str | None = None
    battery_at_ms: int | None = None
    clock_offset_ms: int | None = None

    @property
    def clock_problem(self) -> bool:
        """The lock's clock was off by more than `CLOCK_PROBLEM_MS` at its last record."""
        return self.clock_offset_ms is not None and abs(self.clock_offset_ms) > CLOCK_PROBLEM_MS

    def at(self, now_ms: int) -> LockState:
        """This state as seen at `now_ms`: an unlock whose auto-lock time has passed is locked."""
        if self.relocks_at_ms is None or now_ms < self.relocks_at_ms:
            return self
        return replace(
            self,
            bolt=BoltState.LOCKED,
            bolt_source=AUTO_LOCK_SOURCE,
            bolt_at_ms=self.relocks_at_ms,
            bolt_inferred=True,
            relocks_at_ms=None,
        )


class LockStates:
    """The last known state of every lock this process has heard about."""

    def __init__(self) -> None:
        self._states: dict[int, LockState] = {}

    def get(self, lock_id: int, now_ms: int) -> LockState:
        return self._states.get(lock_id, LockState(lock_id)).at(now_ms)

    def record_bolt(
        self,
        lock_id: int,
        bolt: BoltState,
        *,
        source: str,
        at_ms: int,
        happened_at_ms: int | None = None,
        auto_lock_seconds: int | None = None,
    ) -> bool:
        """Remember a bolt reading heard at `at_ms` unless one heard later is known; True if it
        was taken. `happened_at_ms` (default: `at_ms`) is when the bolt moved. `auto_lock_seconds`
        (the lock's autoLockTime; None or 0 or less: no relock to infer) arms the inference.
        """
        current = self.get(lock_id, at_ms)
        if current.bolt_heard_at_ms is not None and current.bolt_heard_at_ms > at_ms:
            return False
        moved_at_ms = at_ms if happened_at_ms is None else happened_at_ms
        relocks_at_ms = None
        if bolt is BoltState.UNLOCKED and auto_lock_seconds is not None and auto_lock_seconds > 0:
            relocks_at_ms = moved_at_ms + auto_lock_seconds * 1000
        self._states[lock_id] = replace(
            current,
            bolt=bolt,
            bolt_source=source,
            bolt_at_ms=moved_at_ms,
            bolt_heard_at_ms=at_ms,
            bolt_inferred=False,
            relocks_at_ms=relocks_at_ms,
        )
        return True

    def record_battery(self, lock_id: int, level: int, *, source: str, at_ms: int) -> None:
        """Remember a battery level unless one heard later is known."""
        current = self._states.get(lock_id, LockState(lock_id))
        if current.battery_at_ms is not None and current.battery_at_ms > at_ms:
            return
        self._states[lock_id] = replace(
            current, battery=level, battery_source=source, battery_at_ms=at_ms
        )

    def record_clock(self, lock_id: int, offset_ms: int) -> None:
        """Remember how far the lock's clock was from the cloud's at its latest record."""
        current = self._states.get(lock_id, LockState(lock_id))
        self._states[lock_id] = replace(current, clock_offset_ms=offset_ms)
