"""What each placement needs next: the reconciler's decisions, free of I/O.

The reconciler reads the ledger, asks `next_step` what to do for every placement, performs that
step against the cloud and writes the outcome back. Keeping the decision pure lets it be tested
exhaustively and planned for thousands of grants in a blink.

An offline placement (`PlacementView.offline`) follows the rules of TTLock's period codes
(reference §8.1): the cloud computes the code for the window's whole hours (`Issue`), the lock
holds it without a gateway, it cannot be moved, and before its end it leaves the lock only
through a gateway (`Delete`; where that cannot be, it `Expire`s: it stays valid to its end).
After its end only its cloud record is deleted (`DeleteRecord`, no gateway call).
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
    offline: bool = False
    """An offline code: `wanted` is its whole-hour window (its `code` is the cloud's to give)."""
    gateway: bool = True
    """Whether the lock has a gateway (an offline code withdrawn before its end can leave the
    lock only through one; while it is offline the delete is retried as any)."""


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


@dataclass(frozen=True, slots=True)
class Issue:
    """Have the cloud compute an offline period code for `passcode`'s window and name."""

    passcode: Passcode


@dataclass(frozen=True, slots=True)
class DeleteRecord:
    """Delete only the cloud's record of an ended offline code (the lock dropped it itself)."""

    keyboard_pwd_id: int


@dataclass(frozen=True, slots=True)
class Expire:
    """An offline code withdrawn before its end that no gateway can remove: it stays on the
    lock, valid until `until_ms`; its cloud record goes then."""

    keyboard_pwd_id: int
    until_ms: int


Step = Nothing | Wait | Find | Add | Change | Delete | Forget | Issue | DeleteRecord | Expire


def next_step(placement: PlacementView, now_ms: int) -> Step:
    """Decide the one cloud step that moves `placement` toward what it should be."""
    if placement.stalled and placement.wanted is not None:
        return Nothing()
    if placement.next_attempt_ms is not None and placement.next_attempt_ms > now_ms:
        return Wait(placement.next_attempt_ms)
    if placement.in_doubt:
        return Find()
    if placement.offline:
        return _offline_step(placement, now_ms)
    held, wanted = placement.held, placement.wanted
    if wanted is None:
        return Forget() if held is None else Delete(held.keyboard_pwd_id)
    if held is None:
        return Add(wanted)
    if held.passcode == wanted:
        return Nothing()
    return Change(held.keyboard_pwd_id, wanted)


def _offline_step(placement: PlacementView, now_ms: int) -> Step:
    held, wanted = placement.held, placement.wanted
    if wanted is None:
        if held is None:
            return Forget()
        if now_ms >= held.passcode.end_ms:
            return DeleteRecord(held.keyboard_pwd_id)
        if placement.gateway:
            return Delete(held.keyboard_pwd_id)
        return Expire(held.keyboard_pwd_id, held.passcode.end_ms)
    if held is None:
        return Issue(wanted)
    return Nothing()  # an offline code's window cannot move (GrantService.modify refuses)


def covers(held: Passcode, wanted: Passcode) -> bool:
    """Whether an offline code `held` serves `wanted`: its window holds the wanted one (TTLock
    may have given a later end, see the reconciler's -1026); the code is the cloud's."""
    return held.start_ms <= wanted.start_ms and held.end_ms >= wanted.end_ms


def offline_fallback_due(
    placement: PlacementView,
    *,
    waiting_since_ms: int,
    starts_ms: int,
    now_ms: int,
    after_ms: int,
    window_ms: int,
) -> bool:
    """Whether an online code that is not on its lock yet should give way to an offline one:
    it waits for a retry (not failed for good: a person acts on those) `after_ms` after
    `waiting_since_ms` (the grant's creation), nothing may have reached the lock (no held
    code, no call in doubt), and the stay starts within `window_ms` (or has begun) and has not
    ended."""
    wanted = placement.wanted
    return (
        not placement.offline
        and wanted is not None
        and placement.held is None
        and not placement.in_doubt
        and not placement.stalled
        and now_ms - waiting_since_ms >= after_ms
        and starts_ms - now_ms <= window_ms
        and now_ms < wanted.end_ms
    )


RETRY_BASE_MS: Final = 30_000
RETRY_CAP_MS: Final = 30 * 60_000


def retry_delay_ms(failures: int, rng: random.Random) -> int:
    """How long the reconciler leaves a placement alone after its `failures`-th failure in a row.

    Unlike the client's in-call retries this never gives up (fail closed: a code to delete is
    retried until the cloud confirms), but the cap keeps a dead gateway from being hammered.
    """
    return int(jittered_backoff(failures, base=RETRY_BASE_MS, cap=RETRY_CAP_MS, rng=rng))
