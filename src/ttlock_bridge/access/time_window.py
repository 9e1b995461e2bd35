"""The one place where property-local time becomes UTC epoch milliseconds and back.

People speak the property's wall-clock time; the TTLock cloud speaks UTC epoch milliseconds.
Every conversion goes through here so the daylight-saving rules are decided once:

- a local time that does not exist (the spring-forward gap, e.g. 03:30 on 2026-03-29 in
  Europe/Athens) moves forward to the first instant after the gap (04:00 local), so a later
  wall-clock time never maps to an earlier instant;
- a local time that happens twice (the fall-back fold, e.g. 03:30 on 2026-10-25 in
  Europe/Athens) means its first occurrence, the earlier instant (`fold=0`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Final
from zoneinfo import ZoneInfo

from ttlock_bridge.access.errors import InvalidInput

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_MILLISECOND = timedelta(milliseconds=1)
_DAY_MS: Final = 86_400_000
_EARLIEST: Final = date(1900, 1, 1)
_LATEST: Final = date(2999, 12, 31)

MAX_DAYS_STARTED: Final = 7
"""A new start may lie at most this many days in the past (a stay registered late)."""
MAX_DAYS_AHEAD: Final = 1830
"""A window must end within this many days (about five years) from now: bookings open a year
or two ahead, and a date further out is a typo."""
MAX_DAYS_LONG: Final = 365
"""A window lasts at most this many days: TTLock refuses, or rounds to whole months, period
passcodes longer than a year; longer access is a permanent passcode."""


class TimeInputError(InvalidInput):
    """A time or validity window the rules refuse."""


class UnreadableTime(TimeInputError):
    """The text is neither a date, a local date-time nor an ISO 8601 date-time with an offset."""


class EmptyWindow(TimeInputError):
    """The window ends at or before its start."""


class WindowInPast(TimeInputError):
    """The window has already ended."""


class WindowOutOfBounds(TimeInputError):
    """The window starts too long ago, ends too far ahead or lasts too long (see the bounds)."""


@dataclass(frozen=True, slots=True, order=True)
class Window:
    """A validity window in UTC epoch milliseconds: from `start_ms` (inclusive) to `end_ms`."""

    start_ms: int
    end_ms: int

    def __post_init__(self) -> None:
        if self.end_ms <= self.start_ms:
            raise EmptyWindow("the end must be after the start")


HOUR_MS = 3_600_000


def whole_hours(window: Window) -> Window:
    """`window` widened to whole hours (UTC): the start rounded down, the end up. An offline
    code's window (TTLock truncates keyboardPwd/get's dates to the hour, reference §8.1)."""
    end_ms = -(-window.end_ms // HOUR_MS) * HOUR_MS
    return Window(window.start_ms // HOUR_MS * HOUR_MS, end_ms)


def to_utc_ms(local: datetime, zone: ZoneInfo) -> int:
    """Naive property-local wall-clock time -> UTC epoch ms, with the module's DST rules."""
    first = local.replace(tzinfo=zone, fold=0)
    if first.astimezone(UTC).astimezone(zone).replace(tzinfo=None) == local:
        return _epoch_ms(first)
    return _end_of_gap_ms(local, zone)


def from_utc_ms(ms: int, zone: ZoneInfo) -> datetime:
    """UTC epoch ms -> aware datetime in the property's zone."""
    return (_EPOCH + ms * _MILLISECOND).astimezone(zone)


def parse_instant(text: str, zone: ZoneInfo, time_of_day: time) -> int:
    """Read user input as UTC epoch ms.

    `2026-11-23` is that date at `time_of_day` in the property's zone; `2026-11-23T15:00` is a
    property-local wall-clock time; `2026-11-23T15:00+01:00` or `...Z` is taken as given.
    """
    cleaned = text.strip()
    try:
        moment = datetime.combine(date.fromisoformat(cleaned), time_of_day)
    except ValueError:
        try:
            moment = datetime.fromisoformat(cleaned)
        except ValueError:
            raise UnreadableTime(
                f"cannot read {text!r} as a time: write a date (2026-11-23), a local time "
                "(2026-11-23T15:00) or an ISO 8601 time with an offset (2026-11-23T15:00+02:00)"
            ) from None
    if not _EARLIEST.year <= moment.year <= _LATEST.year:
        raise WindowOutOfBounds(
            f"{text!r} is out of range: times must lie between {_EARLIEST.year} and {_LATEST.year}"
        )
    if moment.tzinfo is None:
        return to_utc_ms(moment, zone)
    return _epoch_ms(moment)


def parse_window(
    start: str,
    end: str,
    *,
    zone: ZoneInfo,
    check_in: time,
    check_out: time,
    now_ms: int | None = None,
) -> Window:
    """Read a stay: bare dates get the check-in / check-out time; refuse empty or past windows,
    and with `now_ms` windows out of bounds (`check_bounds`, a new start)."""
    window = checked_window(
        parse_instant(start, zone, check_in), parse_instant(end, zone, check_out), zone
    )
    if now_ms is not None:
        check_bounds(window, now_ms, zone, new_start=True)
    return window


def checked_window(start_ms: int, end_ms: int, zone: ZoneInfo) -> Window:
    """The window [start_ms, end_ms), or `EmptyWindow` saying both ends in local time."""
    if end_ms <= start_ms:
        raise EmptyWindow(
            f"the end ({format_local(end_ms, zone)}) must be after the start "
            f"({format_local(start_ms, zone)})"
        )
    return Window(start_ms, end_ms)


def check_bounds(window: Window, now_ms: int, zone: ZoneInfo, *, new_start: bool) -> None:
    """Refuse a window that has ended (`WindowInPast`), or (`WindowOutOfBounds`) that ends more
    than `MAX_DAYS_AHEAD` days ahead, lasts more than `MAX_DAYS_LONG` days, or, when its start
    is `new_start` (given now, not kept from before), starts more than `MAX_DAYS_STARTED` days
    ago."""
    if window.end_ms <= now_ms:
        raise WindowInPast(
            f"the window ended at {format_local(window.end_ms, zone)}, before now "
            f"({format_local(now_ms, zone)}): choose an end in the future"
        )
    if new_start and window.start_ms < now_ms - MAX_DAYS_STARTED * _DAY_MS:
        raise WindowOutOfBounds(
            f"the start ({format_local(window.start_ms, zone)}) is more than "
            f"{MAX_DAYS_STARTED} days ago: start at most {MAX_DAYS_STARTED} days in the past"
        )
    if window.end_ms > now_ms + MAX_DAYS_AHEAD * _DAY_MS:
        raise WindowOutOfBounds(
            f"the end ({format_local(window.end_ms, zone)}) is more than {MAX_DAYS_AHEAD} days "
            f"ahead: end at most {MAX_DAYS_AHEAD} days from now"
        )
    if window.end_ms - window.start_ms > MAX_DAYS_LONG * _DAY_MS:
        raise WindowOutOfBounds(
            f"the window lasts more than {MAX_DAYS_LONG} days: TTLock period passcodes last at "
            "most a year (give a shorter window, or a permanent passcode without dates)"
        )


def format_local(ms: int, zone: ZoneInfo) -> str:
    """`2026-11-23 15:00` in the property's zone, for people reading tables and errors."""
    return from_utc_ms(ms, zone).strftime("%Y-%m-%d %H:%M")


def window_label(window: Window, zone: ZoneInfo) -> str:
    """Short day label for passcode names: `23-25/11`, across months `30/11-02/12`, across
    years `30/12/26-02/01/27`."""
    first = from_utc_ms(window.start_ms, zone).date()
    last = from_utc_ms(window.end_ms, zone).date()
    if first.year != last.year:
        return f"{first:%d/%m/%y}-{last:%d/%m/%y}"
    if first == last:
        return f"{first:%d/%m}"
    if (first.year, first.month) == (last.year, last.month):
        return f"{first:%d}-{last:%d/%m}"
    return f"{first:%d/%m}-{last:%d/%m}"


def _epoch_ms(moment: datetime) -> int:
    return (moment - _EPOCH) // _MILLISECOND


def _end_of_gap_ms(local: datetime, zone: ZoneInfo) -> int:
    """The instant the clocks jumped over `local`, found by bisection between its two readings.

    Read with the offset after the jump, `local` lands before the transition; read with the
    offset before it, after. The transition is the first instant carrying the later offset.
    """
    before_ms = _epoch_ms(local.replace(tzinfo=zone, fold=1))
    after_ms = _epoch_ms(local.replace(tzinfo=zone, fold=0))
    later_offset = from_utc_ms(after_ms, zone).utcoffset()
    while after_ms - before_ms > 1:
        middle_ms = (before_ms + after_ms) // 2
        if from_utc_ms(middle_ms, zone).utcoffset() == later_offset:
            after_ms = middle_ms
        else:
            before_ms = middle_ms
    return after_ms
