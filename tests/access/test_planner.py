"""The reconciler's decision table, exhaustively: every placement state gets exactly one step."""

import random

from hypothesis import given
from hypothesis import strategies as st

from ttlock_bridge.access.planner import (
    RETRY_CAP_MS,
    Add,
    Change,
    Delete,
    Find,
    Forget,
    Held,
    Nothing,
    Passcode,
    PlacementView,
    Wait,
    next_step,
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
            assert view.held is None
            assert passcode == view.wanted
        case Change(passcode_id, passcode):
            assert view.held is not None
            assert passcode_id == view.held.keyboard_pwd_id
            assert passcode == view.wanted
            assert view.held.passcode != view.wanted
        case Delete(passcode_id):
            assert view.wanted is None
            assert view.held is not None
            assert passcode_id == view.held.keyboard_pwd_id
        case Forget():
            assert view.wanted is None
            assert view.held is None


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
