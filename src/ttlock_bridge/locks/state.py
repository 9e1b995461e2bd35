"""The last known state of each lock (bolt, battery, clock), kept from callbacks and commands.

Pure bookkeeping, no I/O. News is ordered by when it reached the bridge or the cloud
(`heard_at_ms`), never by the lock's own clock (DESIGN invariant 8): a reading heard earlier
than the one kept changes nothing. All times are epoch ms.

After an unlock, what the bolt does next depends on the lock's auto-lock (docs/lock-state.md):

- auto-lock time known (`autoLockTime` > 0, reference §5.2) and nothing holds the lock open:
  TTLock often does not push the auto-lock record (§16), so the door reads `locked` once that
  time has passed, marked `inferred` so nobody mistakes the deduction for a report;
- auto-lock off (`autoLockTime` 0 or -1) or passage mode holding the lock open (§5.4): the door
  reads `unlocked` until a record or command says otherwise, as the lock itself does;
- auto-lock time unknown (an older lock's detail has no `autoLockTime`; the cloud or the
  passage-mode configuration cannot tell): the door reads `unlocked` for at most
  `UNKNOWN_AUTO_LOCK_WINDOW_S`, then `unknown` (inferred): the lock most likely relocked, and
  the bridge never claims `unlocked` for hours on a guess.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from enum import Enum

from ttlock_bridge.cloud import BoltState
from ttlock_bridge.locks.callback import CLOCK_PROBLEM_MS

AUTO_LOCK_SOURCE = "auto-lock"
"""The `bolt_source` of a state deduced from the auto-lock timer (`locked` after a known
auto-lock time, `unknown` after `UNKNOWN_AUTO_LOCK_WINDOW_S` of an unknown one)."""

UNKNOWN_AUTO_LOCK_WINDOW_S = 120
"""Seconds an unlock of a lock whose auto-lock time is unknown reads `unlocked` before it reads
`unknown`: twice the longest preset of the TTLock app (5, 10, 15, 30 or 60 s; a custom value
can be longer, and each lock reports its own maximum only to the Bluetooth SDK, never to the
cloud). Past it, `unknown` is true whatever the lock does; `unlocked` would most likely not be."""


class AutoLock(Enum):
    """An auto-lock time nobody can tell right now (see the module docstring)."""

    UNKNOWN = "unknown"


AutoLockTime = int | AutoLock | None
"""How an unlocked lock relocks by itself: seconds (positive: that long after the unlock; 0 or
less, or None: it does not, it stays unlocked until locked) or `AutoLock.UNKNOWN`."""


@dataclass(frozen=True, slots=True)
class LockState:
    """What is known about one lock; each reading says where it came from and when.

    `bolt_at_ms` is when the bolt moved (the lock's date while its clock is right; for an
    inferred state, when the inference took effect), `bolt_heard_at_ms` when that news arrived
    (the order of news). After an unlock, `relocks_at_ms` is when the lock relocks by its known
    auto-lock time, `unknown_at_ms` when an unlock with an unknown auto-lock time stops reading
    `unlocked` (at most one of them is set). `clock_offset_ms` is the lock's clock minus the
    cloud's at its last record (None before the first record).
    """

    lock_id: int
    bolt: BoltState | None = None
    bolt_source: str | None = None
    bolt_at_ms: int | None = None
    bolt_heard_at_ms: int | None = None
    bolt_inferred: bool = False
    relocks_at_ms: int | None = None
    unknown_at_ms: int | None = None
    battery: int | None = None
    battery_source: str | None = None
    battery_at_ms: int | None = None
    clock_offset_ms: int | None = None

    @property
    def clock_problem(self) -> bool:
        """The lock's clock was off by more than `CLOCK_PROBLEM_MS` at its last record."""
        return self.clock_offset_ms is not None and abs(self.clock_offset_ms) > CLOCK_PROBLEM_MS

    @property
    def inference_at_ms(self) -> int | None:
        """When this state turns into an inferred one by itself (None: it does not)."""
        return self.relocks_at_ms if self.relocks_at_ms is not None else self.unknown_at_ms

    def at(self, now_ms: int) -> LockState:
        """This state as seen at `now_ms`: an unlock whose known auto-lock time has passed is
        `locked`, one whose unknown auto-lock time's window has passed is `unknown`."""
        if self.relocks_at_ms is not None and now_ms >= self.relocks_at_ms:
            bolt, since_ms = BoltState.LOCKED, self.relocks_at_ms
        elif self.unknown_at_ms is not None and now_ms >= self.unknown_at_ms:
            bolt, since_ms = BoltState.UNKNOWN, self.unknown_at_ms
        else:
            return self
        return replace(
            self,
            bolt=bolt,
            bolt_source=AUTO_LOCK_SOURCE,
            bolt_at_ms=since_ms,
            bolt_inferred=True,
            relocks_at_ms=None,
            unknown_at_ms=None,
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
        auto_lock_seconds: AutoLockTime = None,
    ) -> bool:
        """Remember a bolt reading heard at `at_ms` unless one heard later is known; True if it
        was taken. `happened_at_ms` (default: `at_ms`) is when the bolt moved. For an unlock,
        `auto_lock_seconds` (see `AutoLockTime`) arms the inference: `locked` that many
        seconds after the move, or `unknown` `UNKNOWN_AUTO_LOCK_WINDOW_S` after it when
        `AutoLock.UNKNOWN`; nothing for None, 0 or less.
        """
        current = self.get(lock_id, at_ms)
        if current.bolt_heard_at_ms is not None and current.bolt_heard_at_ms > at_ms:
            return False
        moved_at_ms = at_ms if happened_at_ms is None else happened_at_ms
        relocks_at_ms = unknown_at_ms = None
        if bolt is BoltState.UNLOCKED:
            if auto_lock_seconds is AutoLock.UNKNOWN:
                unknown_at_ms = moved_at_ms + UNKNOWN_AUTO_LOCK_WINDOW_S * 1000
            elif isinstance(auto_lock_seconds, int) and auto_lock_seconds > 0:
                relocks_at_ms = moved_at_ms + auto_lock_seconds * 1000
        self._states[lock_id] = replace(
            current,
            bolt=bolt,
            bolt_source=source,
            bolt_at_ms=moved_at_ms,
            bolt_heard_at_ms=at_ms,
            bolt_inferred=False,
            relocks_at_ms=relocks_at_ms,
            unknown_at_ms=unknown_at_ms,
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
