"""The sync rule, pure: given what one read of a feed says, what the bridge knows of the feed's
bookings and their grants, and the time, which grants to create, change or cancel.

- A stay that starts within the lead time (or has begun and not ended) and has no grant gets
  one (`CREATE`); later stays wait.
- A stay whose window moved from the one its grant was given gets the new one (`CHANGE`: same
  grant, same code). A person's change of the grant stands until the feed changes again.
- A booking missing from a successful read is only counted (`MISSING`); missing from two
  successful reads in a row, its grant is cancelled (`CANCEL`), unless the guest is in (the
  code opened a door): then it is kept and reported (`KEEP_GUEST_IN`), never cancelled here.
  A booking whose grant the sync cancelled is `GONE` while its stay lasts: if it comes back,
  it gets a new grant (of a new generation).
  While nobody can tell whether the guest is in (the locks' records could not be read), the
  cancel waits (`CANCEL_WAITS`) for a read that can.
- A read that comes back with no stay at all while the feed had current bookings is a failed
  read (`FeedPlan.failure`), not every booking cancelled: channels are known to answer an
  empty calendar now and then. A failed read changes nothing and counts no booking missing.
- Events whose dates cannot be read are neither stays nor gone: their bookings stay as they are.
- Grants the sync did not make are not in `known` and never touched; a grant cancelled by a
  person stays cancelled; an ended one is cleanup's.

Times are UTC epoch milliseconds.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum

from ttlock_bridge.access.time_window import Window
from ttlock_bridge.bookings.stays import FeedStay, FeedStays

MISSING_READS_TO_CANCEL = 2
"""Successful reads in a row without a booking before its grant is cancelled."""


class GrantStatus(StrEnum):
    """Where a booking's grant stands, as the plan needs it."""

    NONE = "none"  # no grant (yet, or the sync cancelled the last one)
    ACTIVE = "active"  # active and not ended
    ENDED = "ended"
    CANCELLED = "cancelled"  # cancelled by a person (the sync's own cancels leave NONE)


class Action(StrEnum):
    CREATE = "create"
    CHANGE = "change"
    CANCEL = "cancel"
    KEEP_GUEST_IN = "kept_guest_in"
    CANCEL_WAITS = "cancel_waits"
    MISSING = "missing"
    GONE = "gone"
    FORGET = "forget"


@dataclass(frozen=True, slots=True)
class KnownBooking:
    """A booking of this feed as the store has it: its window at the last read, its grant
    (id, status, the window the sync gave it), how many successful reads in a row missed it,
    whether its code has opened a door (`guest_in`; `guest_unknown` when that could not be
    told), and the sync's generation of grants for it."""

    uid: str
    window: Window
    grant_id: int | None
    grant: GrantStatus
    granted: Window | None
    missing_reads: int
    guest_in: bool
    generation: int = 0
    guest_unknown: bool = False


@dataclass(frozen=True, slots=True)
class Step:
    """One thing to do for booking `uid`: `stay` is the feed's stay (CREATE, CHANGE), `missing`
    how many successful reads in a row have now missed it."""

    action: Action
    uid: str
    grant_id: int | None = None
    stay: FeedStay | None = None
    missing: int = 0


@dataclass(frozen=True, slots=True)
class FeedPlan:
    """The outcome of one read: `failure` (the read counts as failed: nothing else happens),
    else `steps` and the stays `seen` (their bookings are recorded as read now)."""

    failure: str | None
    steps: tuple[Step, ...]
    seen: tuple[FeedStay, ...]

    def of(self, action: Action) -> list[Step]:
        return [step for step in self.steps if step.action is action]


def plan_feed(
    read: FeedStays, known: Mapping[str, KnownBooking], *, now_ms: int, lead_ms: int
) -> FeedPlan:
    """Decide one successful read of a feed (module docstring). `known` maps UIDs to what
    the store has of this feed's bookings; `lead_ms` is how long before a stay's start (its
    window, buffers applied) its grant is made."""
    current = [
        booking
        for booking in known.values()
        if booking.missing_reads == 0 and booking.window.end_ms > now_ms
    ]
    if not read.stays and not read.unusable_uids and current:
        return FeedPlan(
            failure=(
                f"the feed came back without any booking while it had {len(current)}: taken "
                "for a failed read, not for cancellations (channels answer an empty calendar "
                "now and then)"
            ),
            steps=(),
            seen=(),
        )
    steps: list[Step] = []
    seen: list[FeedStay] = []
    listed = {stay.uid for stay in read.stays}
    for stay in read.stays:
        booking = known.get(stay.uid)
        if stay.window.end_ms <= now_ms:
            if booking is not None:
                steps.append(Step(Action.FORGET, stay.uid, booking.grant_id))
            continue
        seen.append(stay)
        steps += _listed(stay, booking, now_ms=now_ms, lead_ms=lead_ms)
    for booking in known.values():
        if booking.uid in listed or booking.uid in read.unusable_uids:
            continue
        steps += _not_listed(booking, now_ms=now_ms)
    return FeedPlan(failure=None, steps=tuple(steps), seen=tuple(seen))


def _listed(
    stay: FeedStay, booking: KnownBooking | None, *, now_ms: int, lead_ms: int
) -> list[Step]:
    if booking is None or booking.grant is GrantStatus.NONE:
        if stay.window.start_ms <= now_ms + lead_ms:
            return [Step(Action.CREATE, stay.uid, stay=stay)]
        return []
    if booking.grant is GrantStatus.ACTIVE and booking.granted != stay.window:
        return [Step(Action.CHANGE, stay.uid, booking.grant_id, stay=stay)]
    return []


def _not_listed(booking: KnownBooking, *, now_ms: int) -> list[Step]:
    if booking.window.end_ms <= now_ms:
        return [Step(Action.FORGET, booking.uid, booking.grant_id)]
    missing = booking.missing_reads + 1
    if missing < MISSING_READS_TO_CANCEL:
        return [Step(Action.MISSING, booking.uid, booking.grant_id, missing=missing)]
    if booking.grant is GrantStatus.ACTIVE:
        if booking.guest_in:
            return [Step(Action.KEEP_GUEST_IN, booking.uid, booking.grant_id, missing=missing)]
        if booking.guest_unknown:
            return [Step(Action.CANCEL_WAITS, booking.uid, booking.grant_id, missing=missing)]
        return [Step(Action.CANCEL, booking.uid, booking.grant_id, missing=missing)]
    if booking.grant is GrantStatus.NONE and booking.generation > 0:
        # the sync cancelled a grant for it: the row stays until the stay's end, so a booking
        # that comes back gets a grant of a new generation (a new idempotency key)
        return [Step(Action.GONE, booking.uid, None, missing=missing)]
    return [Step(Action.FORGET, booking.uid, booking.grant_id)]
