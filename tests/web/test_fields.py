"""How the console reads the dates and times a person types: the property's time on the
24-hour clock only, and errors worded for the person at the desk."""

from __future__ import annotations

import re

import pytest

from ttlock_bridge.channels.web.fields import local_end

ZONE = "Europe/Berlin"
TIME_WORDS = "write the time as 15:00 (24-hour clock), in Europe/Berlin time"


@pytest.mark.parametrize(
    ("day", "clock", "read"),
    [
        ("2026-12-01", "15:00", "2026-12-01T15:00"),
        ("2026-12-01", "9:00", "2026-12-01T09:00"),
        ("2026-12-01", "09:05", "2026-12-01T09:05"),
        ("2026-12-01", "0:00", "2026-12-01T00:00"),
        ("2026-12-01", "23:59", "2026-12-01T23:59"),
        ("2026-12-01", "", "2026-12-01"),
    ],
)
def test_a_time_on_the_24_hour_clock_is_read_as_property_time(
    day: str, clock: str, read: str
) -> None:
    assert local_end(day, clock, "arrival", ZONE) == read


@pytest.mark.parametrize(
    "clock",
    ["15:00+05:00", "15:00Z", "15:00:30", "24:00", "25:99", "15.00", "3pm", "1500", "T15:00"],
)
def test_a_time_with_an_offset_or_another_shape_is_refused_in_words_for_people(
    clock: str,
) -> None:
    with pytest.raises(ValueError, match=f"^{re.escape(TIME_WORDS)}$"):
        local_end("2026-12-01", clock, "arrival", ZONE)


@pytest.mark.parametrize("day", ["23/11/2026", "2026-13-45", "20261201", "2026-12-01T15:00"])
def test_a_date_in_another_shape_is_refused_in_words_for_people(day: str) -> None:
    with pytest.raises(ValueError, match=r"^write the departure date as 2026-12-01 \(year-"):
        local_end(day, "11:00", "departure", ZONE)


def test_a_missing_date_is_asked_for() -> None:
    with pytest.raises(ValueError, match=r"^give the arrival date$"):
        local_end("", "15:00", "arrival", ZONE)
