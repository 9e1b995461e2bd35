"""The sync rule (`bookings.plan`), exhaustively: hypothesis draws feeds' reads and what the
store knows, and the rule's promises must hold for every draw."""

from __future__ import annotations

from dataclasses import replace

from hypothesis import given, settings
from hypothesis import strategies as st

from ttlock_bridge.access.time_window import Window
from ttlock_bridge.bookings.plan import (
    CONFIRM_AFTER_MS,
    MAX_NEW_GRANTS,
    Action,
    FeedPlan,
    GrantStatus,
    KnownBooking,
    Step,
    plan_feed,
    takes_the_stay_away,
)
from ttlock_bridge.bookings.stays import FeedStay, FeedStays

NOW = 1_800_000_000_000
HOUR = 3_600_000
DAY = 24 * HOUR
LEAD = 2 * DAY
UIDS = ("a@airbnb.com", "b@airbnb.com", "c@airbnb.com", "d@airbnb.com", "e@airbnb.com")


@st.composite
def windows(draw: st.DrawFn) -> Window:
    start = NOW + draw(st.integers(-10, 40)) * 6 * HOUR
    return Window(start, start + draw(st.integers(1, 40)) * 6 * HOUR)


def stay(uid: str, window: Window) -> FeedStay:
    return FeedStay(uid, window, "Reserved", "Reserved", None)


@st.composite
def reads(draw: st.DrawFn) -> FeedStays:
    listed = draw(st.lists(st.sampled_from(UIDS), unique=True))
    rest = [uid for uid in UIDS if uid not in listed]
    unusable = draw(st.lists(st.sampled_from(rest), unique=True)) if rest else []
    return FeedStays(tuple(stay(uid, draw(windows())) for uid in listed), frozenset(unusable), ())


@st.composite
def known_bookings(draw: st.DrawFn) -> dict[str, KnownBooking]:
    found = {}
    for uid in draw(st.lists(st.sampled_from(UIDS), unique=True)):
        grant = draw(st.sampled_from(GrantStatus))
        window = draw(windows())
        found[uid] = KnownBooking(
            uid=uid,
            window=window,
            grant_id=None if grant is GrantStatus.NONE else UIDS.index(uid) + 100,
            grant=grant,
            granted=None
            if grant is GrantStatus.NONE
            else draw(st.sampled_from([window, draw(windows())])),
            missing_reads=draw(st.integers(0, 3)),
            guest_in=draw(st.booleans()),
            generation=draw(st.integers(0, 2)),
            guest_unknown=draw(st.booleans()),
            changed_at_ms=draw(st.sampled_from([NOW, NOW - 60_000, NOW - CONFIRM_AFTER_MS, 0])),
        )
    return found


def keeps_the_rule(step: Step, booking: KnownBooking | None, listed: dict[str, FeedStay]) -> None:
    """One step of a plan made at NOW against the rule (module docstring of `plan`)."""
    # only grants the sync made for this feed are named: hand-made grants never are
    assert step.grant_id is None or (booking is not None and step.grant_id == booking.grant_id)
    if step.action is Action.CREATE:
        assert step.uid in listed
        assert step.stay == listed[step.uid]
        assert booking is None or booking.grant is GrantStatus.NONE
        assert step.stay.window.start_ms <= NOW + LEAD
        assert step.stay.window.end_ms > NOW
    elif step.action is Action.CHANGE:
        assert booking is not None
        assert booking.grant is GrantStatus.ACTIVE
        assert step.stay == listed[step.uid]
        assert booking.granted != step.stay.window
        if booking.granted is not None and takes_the_stay_away(
            booking.granted, step.stay.window, NOW
        ):  # a move that withdraws the code now: confirmed, and the guest is out
            assert step.withdraws
            assert booking.window == step.stay.window
            assert NOW - booking.changed_at_ms >= CONFIRM_AFTER_MS
            assert not booking.guest_in
            assert not booking.guest_unknown
    elif step.action is Action.MISSING:
        assert booking is not None
        assert step.uid not in listed
        assert step.missing == max(booking.missing_reads, 1)
    elif step.action is Action.GONE:
        assert booking is not None
        assert (booking.grant, step.grant_id) == (GrantStatus.NONE, None)
        assert booking.generation > 0
    elif step.action is not Action.FORGET:
        withdrawal_keeps_the_rule(step, booking, listed)


def withdrawal_keeps_the_rule(
    step: Step, booking: KnownBooking | None, listed: dict[str, FeedStay]
) -> None:
    """A step that takes a stay's code away, or would and waits or spares the guest."""
    assert booking is not None
    if step.action is Action.CANCEL:
        assert step.uid not in listed
        assert booking.grant is GrantStatus.ACTIVE
        assert not booking.guest_in
        assert not booking.guest_unknown  # a stay is taken away only when the guest is out
        assert booking.missing_reads >= 1
        assert step.missing >= 2
        # not two syncs in a row: the second miss counted only once confirmed
        assert booking.missing_reads >= 2 or NOW - booking.changed_at_ms >= CONFIRM_AFTER_MS
    elif step.action is Action.KEEP_GUEST_IN:
        assert booking.guest_in
        assert step.withdraws
        assert step.missing >= 2 or step.stay is not None
    elif step.action is Action.WAITS_FOR_RECORDS:
        assert booking.grant is GrantStatus.ACTIVE
        assert (booking.guest_in, booking.guest_unknown) == (False, True)
        assert step.withdraws
    else:
        assert step.action is Action.MOVE_WAITS
        assert step.stay == listed[step.uid]
        assert booking.granted is not None
        assert takes_the_stay_away(booking.granted, step.stay.window, NOW)
        assert booking.window != step.stay.window or NOW - booking.changed_at_ms < CONFIRM_AFTER_MS


@settings(max_examples=500)
@given(reads(), known_bookings())
def test_every_step_keeps_the_rule(read: FeedStays, known: dict[str, KnownBooking]) -> None:
    plan = plan_feed(read, known, now_ms=NOW, lead_ms=LEAD)
    listed = {s.uid: s for s in read.stays}

    if plan.failure is not None:
        # only an empty read of a feed that had current bookings fails, and it does nothing
        assert not read.stays
        assert not read.unusable_uids
        assert any(k.missing_reads == 0 and k.window.end_ms > NOW for k in known.values())
        assert plan.steps == ()
        assert plan.seen == ()
        return
    for step in plan.steps:
        keeps_the_rule(step, known.get(step.uid), listed)
    # an unreadable booking is never taken for gone
    assert not {s.uid for s in plan.steps} & set(read.unusable_uids)
    # a listed stay that has not ended is recorded as seen
    assert {s.uid for s in plan.seen} == {s.uid for s in read.stays if s.window.end_ms > NOW}


def apply(plan: FeedPlan, known: dict[str, KnownBooking], now_ms: int) -> dict[str, KnownBooking]:
    """What `BookingSync` writes after a plan read at `now_ms`, on the plan's own terms."""
    after = dict(known)
    for seen in plan.seen:
        before = after.get(seen.uid)
        fresh = KnownBooking(seen.uid, seen.window, None, GrantStatus.NONE, None, 0, False)
        if before is None:
            after[seen.uid] = replace(fresh, changed_at_ms=now_ms)
        elif (before.window, before.missing_reads) != (seen.window, 0):
            after[seen.uid] = replace(
                before, window=seen.window, missing_reads=0, changed_at_ms=now_ms
            )
    for step in plan.steps:
        booking = after.get(step.uid)
        if step.action is Action.CREATE and booking is not None and step.stay is not None:
            after[step.uid] = replace(
                booking, grant_id=7, grant=GrantStatus.ACTIVE, granted=step.stay.window
            )
        elif step.action is Action.CHANGE and booking is not None and step.stay is not None:
            after[step.uid] = replace(booking, granted=step.stay.window)
        elif step.action is Action.CANCEL and booking is not None:
            after[step.uid] = replace(
                booking,
                grant_id=None,
                grant=GrantStatus.NONE,
                granted=None,
                missing_reads=step.missing,
                generation=booking.generation + 1,
            )
        elif step.action is Action.MISSING and booking and booking.missing_reads == 0:
            after[step.uid] = replace(booking, missing_reads=1, changed_at_ms=now_ms)
        elif step.action in (Action.GONE, Action.KEEP_GUEST_IN) and booking and step.missing:
            after[step.uid] = replace(booking, missing_reads=step.missing)
        elif step.action is Action.FORGET:
            after.pop(step.uid, None)
    return after


@settings(max_examples=300)
@given(windows(), windows(), st.booleans())
def test_a_booking_is_cancelled_only_at_a_second_read_without_it_minutes_later(
    window: Window, other: Window, guest_in: bool
) -> None:
    window = Window(max(window.start_ms, NOW - DAY), max(window.end_ms, NOW + 2 * HOUR))
    other = Window(other.start_ms, max(other.end_ms, NOW + 2 * HOUR))
    first = plan_feed(
        FeedStays((stay("a", window), stay("b", other)), frozenset(), ()),
        {},
        now_ms=NOW - HOUR,
        lead_ms=400 * DAY,
    )
    state = apply(first, {}, NOW - HOUR)
    assert {s.uid for s in first.of(Action.CREATE)} == {"a", "b"}
    state = {uid: replace(b, guest_in=guest_in) for uid, b in state.items()}
    without_a = FeedStays((stay("b", other),), frozenset(), ())
    reads = []
    for now_ms in (NOW, NOW + 60_000, NOW + CONFIRM_AFTER_MS, NOW + CONFIRM_AFTER_MS + 60_000):
        reads.append(plan := plan_feed(without_a, state, now_ms=now_ms, lead_ms=LEAD))
        state = apply(plan, state, now_ms)
    once, too_soon, twice, again = ([s.action for s in read.steps] for read in reads)

    assert (once, too_soon) == ([Action.MISSING], [Action.MISSING])  # two syncs in a row
    if guest_in:
        assert twice == again == [Action.KEEP_GUEST_IN]
    else:
        assert twice == [Action.CANCEL]
        assert again == [Action.GONE]  # quietly, until its end
        back = plan_feed(
            FeedStays((stay("a", window), stay("b", other)), frozenset(), ()),
            state,
            now_ms=NOW + CONFIRM_AFTER_MS,
            lead_ms=400 * DAY,
        )
        assert [s.action for s in back.steps] == [Action.CREATE]  # it came back: a new grant


@given(windows())
def test_an_empty_read_after_bookings_is_a_failed_read_not_cancellations(window: Window) -> None:
    window = Window(window.start_ms, max(window.end_ms, NOW + HOUR))
    known = {"a": KnownBooking("a", window, 5, GrantStatus.ACTIVE, window, 0, False)}

    plan = plan_feed(FeedStays((), frozenset(), ()), known, now_ms=NOW, lead_ms=LEAD)

    assert plan.failure is not None
    assert "without any booking" in plan.failure
    assert plan.steps == ()


def test_dates_moved_change_the_grant_and_a_desks_own_change_stands() -> None:
    booked = Window(NOW + DAY, NOW + 3 * DAY)
    moved = Window(NOW + DAY, NOW + 4 * DAY)
    known = {"a": KnownBooking("a", booked, 5, GrantStatus.ACTIVE, booked, 0, False)}

    [change] = plan_feed(
        FeedStays((stay("a", moved),), frozenset(), ()), known, now_ms=NOW, lead_ms=LEAD
    ).steps
    unchanged = plan_feed(
        FeedStays((stay("a", booked),), frozenset(), ()), known, now_ms=NOW, lead_ms=LEAD
    )

    assert (change.action, change.grant_id, change.stay) == (Action.CHANGE, 5, stay("a", moved))
    assert unchanged.steps == ()


def test_lead_time_holds_a_later_stay_back_and_a_cancelled_grant_stays_cancelled() -> None:
    later = Window(NOW + 5 * DAY, NOW + 7 * DAY)
    soon = Window(NOW + DAY, NOW + 2 * DAY)
    known = {"b": KnownBooking("b", soon, 9, GrantStatus.CANCELLED, soon, 0, False)}
    read = FeedStays((stay("a", later), stay("b", soon)), frozenset(), ())

    plan = plan_feed(read, known, now_ms=NOW, lead_ms=LEAD)

    assert plan.steps == ()
    assert {s.uid for s in plan.seen} == {"a", "b"}


def test_a_move_that_takes_a_begun_stay_away_waits_for_a_later_read_and_spares_a_guest_in() -> None:
    begun = Window(NOW - DAY, NOW + 2 * DAY)
    far = Window(NOW + 20 * DAY, NOW + 23 * DAY)
    longer = Window(NOW - DAY, NOW + 3 * DAY)
    known = KnownBooking("a", begun, 5, GrantStatus.ACTIVE, begun, 0, False, changed_at_ms=NOW)

    def steps(window: Window, booking: KnownBooking, now_ms: int) -> list[Action]:
        read = FeedStays((stay("a", window),), frozenset(), ())
        return [
            s.action for s in plan_feed(read, {"a": booking}, now_ms=now_ms, lead_ms=LEAD).steps
        ]

    seen_far = replace(known, window=far, changed_at_ms=NOW)  # what the first read recorded
    later = NOW + CONFIRM_AFTER_MS
    assert steps(longer, known, NOW) == [Action.CHANGE]  # still holds now: no harm, at once
    assert steps(far, known, NOW) == [Action.MOVE_WAITS]  # first seen
    assert steps(far, seen_far, NOW + 60_000) == [Action.MOVE_WAITS]  # too soon
    assert steps(far, seen_far, later) == [Action.CHANGE]
    assert steps(far, replace(seen_far, guest_in=True), later) == [Action.KEEP_GUEST_IN]
    assert steps(far, replace(seen_far, guest_unknown=True), later) == [Action.WAITS_FOR_RECORDS]


def test_a_read_that_would_make_too_many_grants_is_a_failed_read() -> None:
    window = Window(NOW + HOUR, NOW + DAY)
    read = FeedStays(
        tuple(stay(f"x{i}@example.com", window) for i in range(MAX_NEW_GRANTS + 1)), frozenset(), ()
    )

    plan = plan_feed(read, {}, now_ms=NOW, lead_ms=LEAD)

    assert plan.failure is not None
    assert f"{MAX_NEW_GRANTS + 1} grants at once" in plan.failure
    assert plan.steps == ()
