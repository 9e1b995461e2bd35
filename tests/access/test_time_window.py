"""Local time <-> UTC epoch ms: input formats, the DST rules and the passcode-name label."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ttlock_bridge.access.errors import InvalidInput
from ttlock_bridge.access.time_window import (
    EmptyWindow,
    UnreadableTime,
    Window,
    WindowInPast,
    format_local,
    from_utc_ms,
    parse_instant,
    parse_window,
    to_utc_ms,
    window_label,
)

ATHENS = ZoneInfo("Europe/Athens")
CHECK_IN = time(15, 0)
CHECK_OUT = time(11, 0)
ZONES = [ZoneInfo(name) for name in ("Europe/Athens", "America/New_York", "Australia/Lord_Howe")]


def utc_ms(year: int, month: int, day: int, hour: int, minute: int) -> int:
    return int(datetime(year, month, day, hour, minute, tzinfo=UTC).timestamp()) * 1000


def stay(start: str, end: str, now_ms: int | None = None) -> Window:
    return parse_window(
        start, end, zone=ATHENS, check_in=CHECK_IN, check_out=CHECK_OUT, now_ms=now_ms
    )


def test_dates_get_check_in_and_check_out_times() -> None:
    window = stay("2026-11-23", "2026-11-25")

    assert window == Window(utc_ms(2026, 11, 23, 13, 0), utc_ms(2026, 11, 25, 9, 0))


def test_local_date_times_are_read_in_the_property_zone() -> None:
    assert parse_instant("2026-07-01T18:30", ATHENS, CHECK_IN) == utc_ms(2026, 7, 1, 15, 30)
    assert parse_instant("2026-07-01 18:30", ATHENS, CHECK_IN) == utc_ms(2026, 7, 1, 15, 30)


@pytest.mark.parametrize(
    "text", ["2026-11-23T15:00+01:00", "2026-11-23T14:00Z", "2026-11-23T14:00:00.000+00:00"]
)
def test_explicit_offsets_are_taken_as_given(text: str) -> None:
    assert parse_instant(text, ATHENS, CHECK_IN) == utc_ms(2026, 11, 23, 14, 0)


@pytest.mark.parametrize("text", ["", "tomorrow", "23/11/2026", "2026-13-01", "2026-11-23T25:00"])
def test_unreadable_input_says_which_formats_work(text: str) -> None:
    with pytest.raises(UnreadableTime, match="ISO 8601") as caught:
        parse_instant(text, ATHENS, CHECK_IN)
    assert isinstance(caught.value, InvalidInput)


def test_athens_spring_forward_2026() -> None:
    # 2026-03-29: at 03:00 EET (01:00 UTC) the clocks jump to 04:00 EEST.
    assert parse_instant("2026-03-29T02:59", ATHENS, CHECK_IN) == utc_ms(2026, 3, 29, 0, 59)
    assert parse_instant("2026-03-29T04:00", ATHENS, CHECK_IN) == utc_ms(2026, 3, 29, 1, 0)
    assert parse_instant("2026-03-29T15:00", ATHENS, CHECK_IN) == utc_ms(2026, 3, 29, 12, 0)


@pytest.mark.parametrize("missing", ["2026-03-29T03:00", "2026-03-29T03:30", "2026-03-29T03:59"])
def test_a_time_in_the_gap_moves_to_the_end_of_the_gap(missing: str) -> None:
    ms = parse_instant(missing, ATHENS, CHECK_IN)

    assert ms == utc_ms(2026, 3, 29, 1, 0)
    assert format_local(ms, ATHENS) == "2026-03-29 04:00"


def test_athens_fall_back_2026_takes_the_first_occurrence() -> None:
    # 2026-10-25: at 04:00 EEST (01:00 UTC) the clocks go back to 03:00 EET.
    assert parse_instant("2026-10-25T03:30", ATHENS, CHECK_IN) == utc_ms(2026, 10, 25, 0, 30)
    assert parse_instant("2026-10-25T04:00", ATHENS, CHECK_IN) == utc_ms(2026, 10, 25, 2, 0)
    assert parse_instant("2026-10-25", ATHENS, CHECK_OUT) == utc_ms(2026, 10, 25, 9, 0)


def test_a_stay_across_the_autumn_change_lasts_one_hour_longer() -> None:
    window = stay("2026-10-24", "2026-10-26")

    assert window.start_ms == utc_ms(2026, 10, 24, 12, 0)  # 15:00 EEST
    assert window.end_ms == utc_ms(2026, 10, 26, 9, 0)  # 11:00 EET
    assert window.end_ms - window.start_ms == (44 + 1) * 3_600_000


def test_end_must_follow_start() -> None:
    with pytest.raises(EmptyWindow, match=r"end \(2026-11-23 11:00\) must be after the start"):
        stay("2026-11-23", "2026-11-23")
    with pytest.raises(EmptyWindow):
        Window(5, 5)


def test_a_window_that_already_ended_is_refused() -> None:
    now = utc_ms(2026, 11, 26, 0, 0)

    with pytest.raises(WindowInPast, match="choose an end in the future"):
        stay("2026-11-23", "2026-11-25", now_ms=now)
    assert stay("2026-11-25", "2026-11-27", now_ms=now).end_ms > now


@pytest.mark.parametrize(
    ("start", "end", "label"),
    [
        ("2026-11-23", "2026-11-25", "23-25/11"),
        ("2026-11-30", "2026-12-02", "30/11-02/12"),
        ("2026-12-30", "2027-01-02", "30/12/26-02/01/27"),
        ("2026-11-23T09:00", "2026-11-23T18:00", "23/11"),
    ],
)
def test_window_labels(start: str, end: str, label: str) -> None:
    assert window_label(stay(start, end), ATHENS) == label


local_times = st.datetimes(min_value=datetime(2000, 1, 1), max_value=datetime(2060, 1, 1))


def exists(local: datetime, zone: ZoneInfo) -> bool:
    aware = local.replace(tzinfo=zone)
    return aware.astimezone(UTC).astimezone(zone).replace(tzinfo=None) == local


@given(local=local_times, zone=st.sampled_from(ZONES))
def test_existing_local_times_round_trip(local: datetime, zone: ZoneInfo) -> None:
    if exists(local, zone):
        assert from_utc_ms(to_utc_ms(local, zone), zone).replace(tzinfo=None) == local.replace(
            microsecond=local.microsecond // 1000 * 1000
        )


@given(instant_ms=st.integers(946_684_800_000, 2_840_140_800_000), zone=st.sampled_from(ZONES))
def test_instants_round_trip_unless_they_are_the_second_occurrence(
    instant_ms: int, zone: ZoneInfo
) -> None:
    local = from_utc_ms(instant_ms, zone)
    back = to_utc_ms(local.replace(tzinfo=None), zone)
    if local.fold == 0:
        assert back == instant_ms
    else:
        first_offset, second_offset = local.replace(fold=0).utcoffset(), local.utcoffset()
        assert first_offset is not None
        assert second_offset is not None
        repeated = first_offset - second_offset
        assert back == instant_ms - repeated // timedelta(milliseconds=1)


@given(first=local_times, second=local_times, zone=st.sampled_from(ZONES))
def test_later_wall_clock_never_means_an_earlier_instant(
    first: datetime, second: datetime, zone: ZoneInfo
) -> None:
    earlier, later = sorted((first, second))
    assert to_utc_ms(earlier, zone) <= to_utc_ms(later, zone)


@given(local=local_times, zone=st.sampled_from(ZONES))
def test_times_in_a_gap_land_on_its_end(local: datetime, zone: ZoneInfo) -> None:
    if not exists(local, zone):
        ms = to_utc_ms(local, zone)
        just_before = from_utc_ms(ms - 1, zone)
        assert from_utc_ms(ms, zone).utcoffset() != just_before.utcoffset()
        assert just_before.replace(tzinfo=None) < local < from_utc_ms(ms, zone).replace(tzinfo=None)


@given(
    start=st.integers(0, 2_840_140_800_000),
    length=st.integers(1, 400 * 86_400_000),
    zone=st.sampled_from(ZONES),
)
def test_iso_output_reads_back_exactly(start: int, length: int, zone: ZoneInfo) -> None:
    end = start + length
    window = parse_window(
        from_utc_ms(start, zone).isoformat(),
        from_utc_ms(end, zone).isoformat(),
        zone=ATHENS,
        check_in=CHECK_IN,
        check_out=CHECK_OUT,
    )
    assert window == Window(start, end)
