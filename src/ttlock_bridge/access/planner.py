"""What each placement needs next: the reconciler's decisions, free of I/O.

The reconciler reads the ledger, asks `next_step` what to do for every placement, performs that
step against the cloud and writes the outcome back. Keeping the decision pure lets it be tested
exhaustively and planned for thousands of grants in a blink.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from typing import Final

from ttlock_bridge.cloud.retry import jittered_backoff


@dataclass(frozen=True, slots=True)
class Passcode:
    """A passcode as one lock should hold it, or as the lock was confirmed to hold it."""

    code: str
    start_ms: int
    end_ms: int
    name: str


@dataclass(frozen=True, slots=True)
class Held:
    """The passcode the cloud confirmed on a lock, with its cloud id."""

    keyboard_pwd_id: int
    passcode: Passcode


@dataclass(frozen=True, slots=True)
class PlacementView:
    """What the planner needs to know about one placement.

    `wanted` is None when the passcode must be absent from the lock. `in_doubt` means an earlier
    cloud call may have been applied without us hearing the answer (intent written, no outcome),
    so the lock must be looked at before anything is created twice.
    """

    wanted: Passcode | None
    held: Held | None
    in_doubt: bool = False
    stalled: bool = False
    next_attempt_ms: int | None = None


@dataclass(frozen=True, slots=True)
class Nothing:
    """The lock already holds what it should, or a person must act first."""


@dataclass(frozen=True, slots=True)
class Wait:
    """Back off until a retry is due."""

    until_ms: int


@dataclass(frozen=True, slots=True)
class Find:
    """Look for our tagged passcode on the lock, then adopt it or conclude it is not there."""


@dataclass(frozen=True, slots=True)
class Add:
    passcode: Passcode


@dataclass(frozen=True, slots=True)
class Change:
    keyboard_pwd_id: int
    passcode: Passcode


@dataclass(frozen=True, slots=True)
class Delete:
    keyboard_pwd_id: int


@dataclass(frozen=True, slots=True)
class Forget:
    """Nothing is on the lock and nothing should be: the placement can be closed."""


Step = Nothing | Wait | Find | Add | Change | Delete | Forget


def next_step(placement: PlacementView, now_ms: int) -> Step:
    """Decide the one cloud step that moves `placement` toward what it should be."""
    if placement.stalled and placement.wanted is not None:
        return Nothing()
    if placement.next_attempt_ms is not None and placement.next_attempt_ms > now_ms:
        return Wait(placement.next_attempt_ms)
    if placement.in_doubt:
        return Find()
    held, wanted = placement.held, placement.wanted
    if wanted is None:
        return Forget() if held is None else Delete(held.keyboard_pwd_id)
    if held is None:
        return Add(wanted)
    if held.passcode == wanted:
        return Nothing()
    return Change(held.keyboard_pwd_id, wanted)


RETRY_BASE_MS: Final = 30_000
RETRY_CAP_MS: Final = 30 * 60_000


def retry_delay_ms(failures: int, rng: random.Random) -> int:
    """How long the reconciler leaves a placement alone after its `failures`-th failure in a row.

    Unlike the client's in-call retries this never gives up (fail closed: a code to delete is
    retried until the cloud confirms), but the cap keeps a dead gateway from being hammered.
    """
    return int(jittered_backoff(failures, base=RETRY_BASE_MS, cap=RETRY_CAP_MS, rng=rng))
