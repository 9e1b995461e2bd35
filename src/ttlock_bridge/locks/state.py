"""The last known state of each lock (bolt and battery), kept from callbacks and commands.

Pure bookkeeping, no I/O. TTLock often does not push the auto-lock event (reference §16), so
an unlock of a lock with an auto-lock time turns into "locked" once that time has passed,
marked `inferred` so nobody mistakes the deduction for a report.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from ttlock_bridge.cloud import BoltState

AUTO_LOCK_SOURCE = "auto-lock"
"""The `bolt_source` of a state deduced from the auto-lock timer."""


@dataclass(frozen=True, slots=True)
class LockState:
    """What is known about one lock; each reading says where it came from and when (epoch ms)."""

    lock_id: int
    bolt: BoltState | None = None
    bolt_source: str | None = None
    bolt_at_ms: int | None = None
    bolt_inferred: bool = False
    relocks_at_ms: int | None = None
    battery: int | None = None
    battery_source: str | None = None
    battery_at_ms: int | None = None

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
        auto_lock_seconds: int | None = None,
    ) -> bool:
        """Remember a bolt reading unless a newer one is known; True if it was taken.

        `auto_lock_seconds` (the lock's autoLockTime; 0 or less means off) arms the inference.
        """
        current = self.get(lock_id, at_ms)
        if current.bolt_at_ms is not None and current.bolt_at_ms > at_ms:
            return False
        relocks_at_ms = None
        if bolt is BoltState.UNLOCKED and auto_lock_seconds is not None and auto_lock_seconds > 0:
            relocks_at_ms = at_ms + auto_lock_seconds * 1000
        self._states[lock_id] = replace(
            current,
            bolt=bolt,
            bolt_source=source,
            bolt_at_ms=at_ms,
            bolt_inferred=False,
            relocks_at_ms=relocks_at_ms,
        )
        return True

    def record_battery(self, lock_id: int, level: int, *, source: str, at_ms: int) -> None:
        """Remember a battery level unless a newer one is known."""
        current = self._states.get(lock_id, LockState(lock_id))
        if current.battery_at_ms is not None and current.battery_at_ms > at_ms:
            return
        self._states[lock_id] = replace(
            current, battery=level, battery_source=source, battery_at_ms=at_ms
        )
