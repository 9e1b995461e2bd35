"""The auto-lock rule of the lock state (`locks/state.py`, docs/lock-state.md), pure: after an
unlock the bolt reads `locked` once a known auto-lock time passed, stays `unlocked` when the lock
does not relock by itself, and reads `unknown` once `UNKNOWN_AUTO_LOCK_WINDOW_S` passed when the
auto-lock time is unknown, so no door reads `unlocked` for hours on a guess."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from ttlock_bridge.cloud import BoltState
from ttlock_bridge.locks.state import (
    AUTO_LOCK_SOURCE,
    UNKNOWN_AUTO_LOCK_WINDOW_S,
    AutoLock,
    AutoLockTime,
    LockStates,
)

LOCK = 7
WINDOW_MS = UNKNOWN_AUTO_LOCK_WINDOW_S * 1000
EPOCH_MS = st.integers(min_value=1_600_000_000_000, max_value=2_000_000_000_000)
LATER_MS = st.integers(min_value=0, max_value=48 * 3_600_000)
AUTO_LOCK: st.SearchStrategy[AutoLockTime] = st.one_of(
    st.integers(min_value=1, max_value=3_600),
    st.integers(min_value=-1, max_value=0),
    st.none(),
    st.just(AutoLock.UNKNOWN),
)
BOLTS = st.sampled_from(list(BoltState))


def test_the_window_is_two_minutes() -> None:
    assert UNKNOWN_AUTO_LOCK_WINDOW_S == 120


@given(moved_ms=EPOCH_MS, lag_ms=st.integers(0, 60_000), later_ms=LATER_MS, auto_lock=AUTO_LOCK)
def test_after_an_unlock_the_bolt_follows_the_auto_lock_rule(
    moved_ms: int, lag_ms: int, later_ms: int, auto_lock: AutoLockTime
) -> None:
    states = LockStates()
    heard_ms = moved_ms + lag_ms
    states.record_bolt(
        LOCK,
        BoltState.UNLOCKED,
        source="callback",
        at_ms=heard_ms,
        happened_at_ms=moved_ms,
        auto_lock_seconds=auto_lock,
    )
    now_ms = heard_ms + later_ms

    shown = states.get(LOCK, now_ms)

    if auto_lock is AutoLock.UNKNOWN:
        turns, then = moved_ms + WINDOW_MS, BoltState.UNKNOWN
    elif isinstance(auto_lock, int) and auto_lock > 0:
        turns, then = moved_ms + auto_lock * 1000, BoltState.LOCKED
    else:  # auto-lock off, or held open: the lock stays unlocked until something locks it
        turns, then = None, BoltState.UNLOCKED
    if turns is None or now_ms < turns:
        assert (shown.bolt, shown.bolt_source, shown.bolt_at_ms) == (
            BoltState.UNLOCKED,
            "callback",
            moved_ms,
        )
        assert shown.bolt_inferred is False
    else:
        assert (shown.bolt, shown.bolt_source, shown.bolt_at_ms) == (then, AUTO_LOCK_SOURCE, turns)
        assert shown.bolt_inferred is True
        assert shown.inference_at_ms is None  # nothing more to infer
    assert shown.bolt_heard_at_ms == heard_ms


Reading = tuple[BoltState, int, int, AutoLockTime]  # bolt, heard at, moved before by, auto-lock


@given(
    start_ms=EPOCH_MS,
    readings=st.lists(
        st.tuples(BOLTS, LATER_MS, st.integers(0, 30_000), AUTO_LOCK), min_size=1, max_size=8
    ),
    later_ms=LATER_MS,
)
def test_no_unlock_of_unknown_auto_lock_reads_unlocked_past_its_window(
    start_ms: int, readings: list[Reading], later_ms: int
) -> None:
    """Whatever news arrives in whatever order, a door whose last unlock came with an unknown
    auto-lock time never reads `unlocked` longer than the window after that unlock."""
    states = LockStates()
    taken: Reading | None = None
    newest_heard_ms = None
    for bolt, offset_ms, moved_before_ms, auto_lock in readings:
        heard_ms = start_ms + offset_ms
        if states.record_bolt(
            LOCK,
            bolt,
            source="callback",
            at_ms=heard_ms,
            happened_at_ms=heard_ms - moved_before_ms,
            auto_lock_seconds=auto_lock,
        ):
            taken = (bolt, heard_ms, moved_before_ms, auto_lock)
        newest_heard_ms = heard_ms if newest_heard_ms is None else max(newest_heard_ms, heard_ms)
    assert taken is not None
    assert newest_heard_ms is not None
    bolt, heard_ms, moved_before_ms, auto_lock = taken
    now_ms = newest_heard_ms + later_ms

    shown = states.get(LOCK, now_ms)

    assert shown.bolt_heard_at_ms == heard_ms == newest_heard_ms  # the latest news holds
    if bolt is BoltState.UNLOCKED and auto_lock is AutoLock.UNKNOWN:
        if now_ms >= heard_ms - moved_before_ms + WINDOW_MS:
            assert (shown.bolt, shown.bolt_inferred) == (BoltState.UNKNOWN, True)
        else:
            assert (shown.bolt, shown.bolt_inferred) == (BoltState.UNLOCKED, False)
    if bolt is not BoltState.UNLOCKED:
        assert (shown.bolt, shown.bolt_inferred) == (bolt, False)  # nothing inferred from it


@given(moved_ms=EPOCH_MS, auto_lock=AUTO_LOCK, first_ms=LATER_MS, second_ms=LATER_MS)
def test_the_state_seen_later_never_goes_back(
    moved_ms: int, auto_lock: AutoLockTime, first_ms: int, second_ms: int
) -> None:
    """Seeing the state at one moment and then at a later one gives what the later moment
    alone gives: an inference, once drawn, holds until news replaces it."""
    states = LockStates()
    states.record_bolt(
        LOCK, BoltState.UNLOCKED, source="command", at_ms=moved_ms, auto_lock_seconds=auto_lock
    )
    earlier, later = sorted((moved_ms + first_ms, moved_ms + second_ms))
    state = states.get(LOCK, moved_ms)

    assert state.at(earlier).at(later) == state.at(later)
    if state.at(earlier).bolt_inferred:
        assert state.at(later) == state.at(earlier)


@given(moved_ms=EPOCH_MS, battery_after_ms=st.integers(0, WINDOW_MS - 1))
def test_a_battery_reading_does_not_cancel_the_window(moved_ms: int, battery_after_ms: int) -> None:
    states = LockStates()
    states.record_bolt(
        LOCK,
        BoltState.UNLOCKED,
        source="callback",
        at_ms=moved_ms,
        auto_lock_seconds=AutoLock.UNKNOWN,
    )
    states.record_battery(LOCK, 55, source="callback", at_ms=moved_ms + battery_after_ms)
    states.record_clock(LOCK, 1_000)

    shown = states.get(LOCK, moved_ms + WINDOW_MS)

    assert (shown.bolt, shown.bolt_inferred, shown.battery) == (BoltState.UNKNOWN, True, 55)


def unlock_of_unknown_auto_lock(states: LockStates, at_ms: int) -> None:
    states.record_bolt(
        LOCK, BoltState.UNLOCKED, source="callback", at_ms=at_ms, auto_lock_seconds=AutoLock.UNKNOWN
    )


def test_news_after_the_window_replaces_the_unknown_and_a_new_unlock_restarts_it() -> None:
    states = LockStates()
    unlock_of_unknown_auto_lock(states, 0)
    assert states.get(LOCK, WINDOW_MS).bolt is BoltState.UNKNOWN

    states.record_bolt(LOCK, BoltState.LOCKED, source="callback", at_ms=WINDOW_MS + 1)
    assert states.get(LOCK, 10 * WINDOW_MS).bolt is BoltState.LOCKED  # a report, kept

    unlock_of_unknown_auto_lock(states, 20 * WINDOW_MS)
    assert states.get(LOCK, 21 * WINDOW_MS - 1).bolt is BoltState.UNLOCKED
    assert states.get(LOCK, 21 * WINDOW_MS).bolt is BoltState.UNKNOWN


def test_a_lock_before_the_window_ends_is_no_unknown() -> None:
    states = LockStates()
    states.record_bolt(
        LOCK, BoltState.UNLOCKED, source="command", at_ms=0, auto_lock_seconds=AutoLock.UNKNOWN
    )
    states.record_bolt(LOCK, BoltState.LOCKED, source="callback", at_ms=5_000)

    shown = states.get(LOCK, 10 * WINDOW_MS)

    assert (shown.bolt, shown.bolt_inferred, shown.inference_at_ms) == (
        BoltState.LOCKED,
        False,
        None,
    )
