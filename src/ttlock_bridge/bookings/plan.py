"""The sync rule, pure: given what one read of a feed says, what the bridge knows of the feed's
bookings and their grants, and the time, which grants to create, change or cancel.

- A stay that starts within the lead time (or has begun and not ended) and has no grant gets
  one (`CREATE`); later stays wait.
- A stay whose window moved from the one its grant was given gets the new one (`CHANGE`: same
  grant, same code). A person's change of the grant stands until the feed changes again.
- A booking missing from a successful read is only counted (`MISSING`); missing from two
  successful reads in a row, the second at least `CONFIRM_AFTER_MS` after the first, its
  grant is cancelled (`CANCEL`), unless the guest is in (the code opened a door): then it is
  kept and reported (`KEEP_GUEST_IN`), never cancelled here. A booking whose grant the sync
  cancelled is `GONE` while its stay lasts: if it comes back, it gets a new grant (of a new
  generation).
- A move that takes a begun stay away from now (its new window does not hold now) withdraws
  the code as a cancel does, and is guarded alike: it waits (`MOVE_WAITS`) until a read at
  least `CONFIRM_AFTER_MS` after the one that first showed it says the same, and a guest who
  is in keeps the grant as it is (`KEEP_GUEST_IN`).
- While nobody can tell whether the guest is in (the locks' records could not be read), such a
  withdrawal waits (`WAITS_FOR_RECORDS`) for a read that can.
- A read that would make more than `MAX_NEW_GRANTS` grants at once is a failed read: no room's
  calendar brings that many stays within the lead time; a broken or hostile feed would fill
  the shared doors' passcode memory and spend the month's calls.
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
CONFIRM_AFTER_MS = 10 * 60_000
"""A read that would withdraw a code (gone, or moved away from now) is acted on only when a
read at least this long after the first one that showed it says the same: neither a feed's
glitch of a minute nor two syncs asked for in a row can lock a guest out."""
MAX_NEW_GRANTS = 10
"""More grants than this from one read is taken for a broken feed (a failed read)."""


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
    MOVE_WAITS = "move_waits"
    WAITS_FOR_RECORDS = "waits_for_records"
    MISSING = "missing"
    GONE = "gone"
    FORGET = "forget"


@dataclass(frozen=True, slots=True)
class KnownBooking:
    """A booking of this feed as the store has it: its window at the last read, its grant
    (id, status, the window the sync gave it), how many successful reads in a row missed it,
    whether its code has opened a door (`guest_in`; `guest_unknown` when that could not be
    told), the sync's generation of grants for it, and `changed_at_ms`: when the feed last
    changed it (its window first read as it is, or its first miss; UTC epoch ms)."""

    uid: str
    window: Window
    grant_id: int | None
    grant: GrantStatus
    granted: Window | None
    missing_reads: int
    guest_in: bool
    generation: int = 0
    guest_unknown: bool = False
    changed_at_ms: int = 0


@dataclass(frozen=True, slots=True)
class Step:
    """One thing to do for booking `uid`: `stay` is the feed's stay (CREATE, CHANGE, and a
    move waiting or kept), `missing` how many successful reads in a row have now missed it,
    `withdraws` whether it takes the stay's code away (a CANCEL, a CHANGE away from now): the
    guest must not be in."""

    action: Action
    uid: str
    grant_id: int | None = None
    stay: FeedStay | None = None
    missing: int = 0
    withdraws: bool = False


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
    new_grants = sum(step.action is Action.CREATE for step in steps)
    if new_grants > MAX_NEW_GRANTS:
        return FeedPlan(
            failure=(
                f"the feed would make {new_grants} grants at once (at most {MAX_NEW_GRANTS}): "
                "no room's calendar holds that many stays within the lead time; taken for a "
                "broken feed, nothing was issued"
            ),
            steps=(),
            seen=(),
        )
    return FeedPlan(failure=None, steps=tuple(steps), seen=tuple(seen))


def _confirmed(booking: KnownBooking, now_ms: int) -> bool:
    """Whether what the store has of the booking was first read `CONFIRM_AFTER_MS` ago."""
    return now_ms - booking.changed_at_ms >= CONFIRM_AFTER_MS


def takes_the_stay_away(granted: Window, moved: Window, now_ms: int) -> bool:
    """A begun stay whose new window no longer holds now: its code would stop working now."""
    return granted.start_ms <= now_ms < granted.end_ms and not (
        moved.start_ms <= now_ms < moved.end_ms
    )


def _listed(
    stay: FeedStay, booking: KnownBooking | None, *, now_ms: int, lead_ms: int
) -> list[Step]:
    if booking is None or booking.grant is GrantStatus.NONE:
        if stay.window.start_ms <= now_ms + lead_ms:
            return [Step(Action.CREATE, stay.uid, stay=stay)]
        return []
    if booking.grant is not GrantStatus.ACTIVE or booking.granted == stay.window:
        return []
    if booking.granted is None or not takes_the_stay_away(booking.granted, stay.window, now_ms):
        return [Step(Action.CHANGE, stay.uid, booking.grant_id, stay=stay)]
    if booking.window != stay.window or not _confirmed(booking, now_ms):
        return [Step(Action.MOVE_WAITS, stay.uid, booking.grant_id, stay=stay)]
    return [_withdrawal(booking, Action.CHANGE, stay=stay)]


def _withdrawal(
    booking: KnownBooking, action: Action, *, stay: FeedStay | None = None, missing: int = 0
) -> Step:
    """A confirmed withdrawal (`action`: CANCEL, or a CHANGE away from now) of the booking's
    grant, unless the guest is in, or whether they are cannot be told."""
    if booking.guest_in:
        action = Action.KEEP_GUEST_IN
    elif booking.guest_unknown:
        action = Action.WAITS_FOR_RECORDS
    return Step(action, booking.uid, booking.grant_id, stay=stay, missing=missing, withdraws=True)


def _not_listed(booking: KnownBooking, *, now_ms: int) -> list[Step]:
    if booking.window.end_ms <= now_ms:
        return [Step(Action.FORGET, booking.uid, booking.grant_id)]
    if booking.missing_reads == 0 or (
        booking.missing_reads < MISSING_READS_TO_CANCEL and not _confirmed(booking, now_ms)
    ):  # the first miss, or a read too soon after it to count
        missing = max(booking.missing_reads, 1)
        return [Step(Action.MISSING, booking.uid, booking.grant_id, missing=missing)]
    missing = booking.missing_reads + 1
    if booking.grant is GrantStatus.ACTIVE:
        return [_withdrawal(booking, Action.CANCEL, missing=missing)]
    if booking.grant is GrantStatus.NONE and booking.generation > 0:
        # the sync cancelled a grant for it: the row stays until the stay's end, so a booking
        # that comes back gets a grant of a new generation (a new idempotency key)
        return [Step(Action.GONE, booking.uid, None, missing=missing)]
    return [Step(Action.FORGET, booking.uid, booking.grant_id)]
