"""The room-state rule (`access.occupancy.room_state`), pure: days count in the property's zone."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from ttlock_bridge.access import RoomState
from ttlock_bridge.access.occupancy import room_state
from ttlock_bridge.access.time_window import Window, to_utc_ms

ATHENS = ZoneInfo("Europe/Athens")


def at(text: str) -> int:
    return to_utc_ms(datetime.fromisoformat(text), ATHENS)


STAY = Window(at("2026-12-10T15:00"), at("2026-12-12T11:00"))


@pytest.mark.parametrize(
    ("now", "used", "state"),
    [
        ("2026-12-10T16:00", False, RoomState.ARRIVING),  # arrived, code not used yet
        ("2026-12-10T16:00", True, RoomState.IN_HOUSE),
        ("2026-12-11T09:00", True, RoomState.IN_HOUSE),
        ("2026-12-12T08:00", True, RoomState.LEAVING),  # the stay ends today
        ("2026-12-12T08:00", False, RoomState.LEAVING),
        ("2026-12-12T00:30", True, RoomState.LEAVING),  # just after local midnight (UTC: 11th)
    ],
)
def test_a_current_stay(now: str, used: bool, state: RoomState) -> None:
    assert room_state(STAY, None, used, at(now), ATHENS) is state


def test_a_stay_starting_later_today_is_an_arrival_and_tomorrow_is_vacant() -> None:
    assert room_state(None, STAY.start_ms, False, at("2026-12-10T09:00"), ATHENS) is (
        RoomState.ARRIVING
    )
    assert room_state(None, STAY.start_ms, False, at("2026-12-09T23:30"), ATHENS) is (
        RoomState.VACANT  # 21:30 UTC on the 9th, and also the 9th in Athens
    )
    assert room_state(None, None, False, at("2026-12-10T09:00"), ATHENS) is RoomState.VACANT


def test_local_midnight_not_utc_midnight_decides_the_day() -> None:
    # 23:30 UTC on the 9th is 01:30 on the 10th in Athens: the arrival is today there.
    assert room_state(None, STAY.start_ms, False, at("2026-12-10T01:30"), ATHENS) is (
        RoomState.ARRIVING
    )


@given(
    start_min=st.integers(0, 60 * 24 * 30),
    length_min=st.integers(1, 60 * 24 * 30),
    now_min=st.integers(0, 60 * 24 * 60),
    used=st.booleans(),
)
def test_every_current_stay_is_occupied_and_leaving_only_on_its_last_day(
    start_min: int, length_min: int, now_min: int, used: bool
) -> None:
    base = at("2026-03-20T00:00")  # spans the spring DST change
    stay = Window(base + start_min * 60_000, base + (start_min + length_min) * 60_000)
    now_ms = base + now_min * 60_000
    assume(stay.start_ms <= now_ms < stay.end_ms)
    state = room_state(stay, None, used, now_ms, ATHENS)
    assert state is not RoomState.VACANT
    last_day = datetime.fromtimestamp(stay.end_ms / 1000, ATHENS).date()
    today = datetime.fromtimestamp(now_ms / 1000, ATHENS).date()
    assert (state is RoomState.LEAVING) == (today == last_day)
    if state is not RoomState.LEAVING:
        assert state is (RoomState.IN_HOUSE if used else RoomState.ARRIVING)
