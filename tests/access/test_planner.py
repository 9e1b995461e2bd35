"""The reconciler's decision table, exhaustively: every placement state gets exactly one step."""

import random

from hypothesis import given
from hypothesis import strategies as st

from ttlock_bridge.access.planner import (
    RETRY_CAP_MS,
    Add,
    Change,
    Delete,
    DeleteRecord,
    Expire,
    Find,
    Forget,
    Held,
    Issue,
    Nothing,
    Passcode,
    PlacementView,
    Wait,
    covers,
    next_step,
    offline_fallback_due,
    retry_delay_ms,
)

NOW = 1_800_000_000_000
WANTED = Passcode("582914", NOW, NOW + 86_400_000, "Smith 23-25/11 #tb-7K2QF9")

passcodes = st.builds(
    Passcode,
    code=st.sampled_from(["582914", "738216"]),
    start_ms=st.sampled_from([NOW, NOW + 1]),
    end_ms=st.sampled_from([NOW + 86_400_000]),
    name=st.sampled_from([WANTED.name, "Smith 23-26/11 #tb-7K2QF9"]),
)
views = st.builds(
    PlacementView,
    wanted=st.none() | passcodes,
    held=st.none() | st.builds(Held, keyboard_pwd_id=st.integers(1, 9), passcode=passcodes),
    in_doubt=st.booleans(),
    stalled=st.booleans(),
    next_attempt_ms=st.none() | st.sampled_from([NOW - 1, NOW, NOW + 1]),
    offline=st.booleans(),
    gateway=st.booleans(),
)


@given(views)
def test_every_placement_gets_a_step_consistent_with_its_state(view: PlacementView) -> None:
    step = next_step(view, NOW)

    if view.stalled and view.wanted is not None:
        assert step == Nothing()
    elif view.next_attempt_ms is not None and view.next_attempt_ms > NOW:
        assert step == Wait(view.next_attempt_ms)
    elif view.in_doubt:
        assert step == Find()
    match step:
        case Add(passcode):
            assert not view.offline  # an offline code is the cloud's to compute, never added
            assert view.held is None
            assert passcode == view.wanted
        case Change(passcode_id, passcode):
            assert not view.offline  # an offline code cannot be changed
            assert view.held is not None
            assert passcode_id == view.held.keyboard_pwd_id
            assert passcode == view.wanted
            assert view.held.passcode != view.wanted
        case Delete(passcode_id):
            assert view.wanted is None
            assert view.held is not None
            assert passcode_id == view.held.keyboard_pwd_id
            assert not view.offline or (view.gateway and view.held.passcode.end_ms > NOW)
        case Forget():
            assert view.wanted is None
            assert view.held is None
        case Issue(passcode):
            assert view.offline
            assert view.held is None
            assert passcode == view.wanted
        case DeleteRecord(passcode_id):  # an ended offline code: no gateway call
            assert view.offline
            assert view.wanted is None
            assert view.held is not None
            assert view.held.passcode.end_ms <= NOW
        case Expire(passcode_id, until_ms):  # withdrawn early, no gateway: it stays to its end
            assert view.offline
            assert not view.gateway
            assert view.held is not None
            assert until_ms == view.held.passcode.end_ms > NOW


def test_a_removal_is_never_stalled_by_an_earlier_failure() -> None:
    view = PlacementView(wanted=None, held=Held(7, WANTED), stalled=True)

    assert next_step(view, NOW) == Delete(7)


def test_an_unknown_outcome_is_looked_up_before_anything_is_created_again() -> None:
    assert next_step(PlacementView(wanted=WANTED, held=None, in_doubt=True), NOW) == Find()
    assert next_step(PlacementView(wanted=WANTED, held=None), NOW) == Add(WANTED)


def test_a_lock_holding_exactly_the_wanted_passcode_needs_nothing() -> None:
    assert next_step(PlacementView(wanted=WANTED, held=Held(7, WANTED)), NOW) == Nothing()


@given(st.integers(1, 60), st.integers(0, 2**32))
def test_retry_delays_grow_stay_capped_and_never_drop_below_half(failures: int, seed: int) -> None:
    delay = retry_delay_ms(failures, random.Random(seed))
    nominal = min(30_000 * 2 ** (failures - 1), RETRY_CAP_MS)

    assert nominal // 2 <= delay <= nominal


ENDED = Passcode("4821937", NOW - 7_200_000, NOW - 3_600_000, WANTED.name)


def test_an_offline_code_is_issued_kept_and_left_to_expire_without_a_gateway() -> None:
    def offline(wanted: Passcode | None, held: Passcode | None, gateway: bool) -> PlacementView:
        return PlacementView(
            wanted, None if held is None else Held(7, held), offline=True, gateway=gateway
        )

    later_end = Passcode("4821937", NOW, NOW + 90_000_000, WANTED.name)  # -1026 gave an hour more
    assert next_step(offline(WANTED, None, gateway=False), NOW) == Issue(WANTED)
    assert next_step(offline(WANTED, later_end, gateway=False), NOW) == Nothing()
    assert next_step(offline(None, later_end, gateway=True), NOW) == Delete(7)
    assert next_step(offline(None, later_end, gateway=False), NOW) == Expire(7, NOW + 90_000_000)
    assert next_step(offline(None, ENDED, gateway=True), NOW) == DeleteRecord(7)
    assert covers(later_end, WANTED)
    assert not covers(ENDED, WANTED)


@given(
    waited_min=st.integers(0, 30),
    starts_in_h=st.integers(-30, 30),
    held=st.booleans(),
    in_doubt=st.booleans(),
    offline=st.booleans(),
    stalled=st.booleans(),
)
def test_an_online_code_falls_back_only_when_it_waited_long_enough_for_a_stay_about_to_start(
    *, waited_min: int, starts_in_h: int, held: bool, in_doubt: bool, offline: bool, stalled: bool
) -> None:
    start = NOW + starts_in_h * 3_600_000
    wanted = Passcode("582914", start, start + 86_400_000, WANTED.name)
    view = PlacementView(
        wanted,
        Held(7, wanted) if held else None,
        in_doubt=in_doubt,
        offline=offline,
        stalled=stalled,
    )

    due = offline_fallback_due(
        view,
        waiting_since_ms=NOW - waited_min * 60_000,
        starts_ms=start,
        now_ms=NOW,
        after_ms=10 * 60_000,
        window_ms=6 * 3_600_000,
    )

    assert due == (
        waited_min >= 10
        and -24 < starts_in_h <= 6  # within the window, and the stay has not ended
        and not held
        and not in_doubt
        and not offline
        and not stalled  # failed for good: a person acts, not the fallback
    )
