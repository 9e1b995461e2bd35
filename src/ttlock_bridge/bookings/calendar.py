"""Reading a booking calendar: the bytes a channel exported -> its events, or why not.

Pure: no I/O, no clock. What a channel's export looks like (facts from public documentation and
issue threads, not copied files): Airbnb exports each reservation as an all-day event
(`DTSTART;VALUE=DATE`, `DTEND;VALUE=DATE` = the check-out day) with SUMMARY "Reserved" and a
DESCRIPTION holding the reservation link and "Phone Number (Last 4 Digits): 1234", and blocked
nights as "Airbnb (Not available)"; VRBO writes "Reserved - <name>" or "Blocked"; Booking.com
"CLOSED - Not available". Some tools export timed events with a TZID, UTC (`Z`) or floating
(no zone) times; all three are kept as they are and made instants later (`stays.py`).

A calendar that cannot be trusted as a whole (HTML instead of iCalendar, cut short, malformed)
raises `CalendarUnreadable` with a reason for people, never repeating the content (a login page
may carry anything). One event that cannot be read is no reason to doubt the others: with a UID
it is listed in `unreadable_uids` (so its booking is not taken for gone), without one it is
skipped; both are said in `notes`.

What a feed says is shown on terminals, pages and Home Assistant: a UID keeps its unsafe
characters (control, bidirectional; `text.py`) as visible escapes, so two UIDs stay two; a
SUMMARY loses them. The DESCRIPTION is only searched (a phone ending), never shown.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Final

import icalendar

from ttlock_bridge.text import escape_unsafe, strip_unsafe

MAX_EVENTS: Final = 10_000
"""More events than this in one feed is no room's calendar: refused."""
MAX_UID_CHARS: Final = 255
MAX_TEXT_CHARS: Final = 2_000
"""SUMMARY and DESCRIPTION are kept up to this many characters (a phone ending is near the top)."""


class CalendarUnreadable(Exception):
    """The body is not a calendar that can be trusted; `str()` says why, for people."""


@dataclass(frozen=True, slots=True)
class CalendarEvent:
    """One VEVENT. `start`/`end` (end exclusive, as iCalendar has it) are a `date` for an
    all-day event, an aware `datetime` for a time with a zone (TZID or UTC), or a naive
    `datetime` for a floating time (read in the property's zone)."""

    uid: str
    summary: str
    description: str
    start: date | datetime
    end: date | datetime
    cancelled: bool


@dataclass(frozen=True, slots=True)
class Calendar:
    """A calendar's readable events, the UIDs of events whose dates could not be read, and
    notes on what was skipped (for the feed's status)."""

    events: tuple[CalendarEvent, ...]
    unreadable_uids: frozenset[str]
    notes: tuple[str, ...]


def read_calendar(body: bytes) -> Calendar:
    """Parse an iCalendar feed; raise `CalendarUnreadable` for HTML, a body that is no
    iCalendar, one cut short (no `END:VCALENDAR`), malformed content lines, or more than
    `MAX_EVENTS` events."""
    text = body.removeprefix(b"\xef\xbb\xbf").strip()
    if not text:
        raise CalendarUnreadable("the answer is empty: no calendar at all")
    if text[:1] == b"<":
        raise CalendarUnreadable(
            "an HTML page, not a calendar (a login or error page: is the export link still valid?)"
        )
    if not text[:15].upper().startswith(b"BEGIN:VCALENDAR"):
        raise CalendarUnreadable("not an iCalendar file (it does not begin with BEGIN:VCALENDAR)")
    if not text[-13:].upper().endswith(b"END:VCALENDAR"):
        raise CalendarUnreadable("truncated: the calendar stops before its END:VCALENDAR")
    try:
        parsed = icalendar.Calendar.from_ical(text)
    except (ValueError, IndexError, KeyError):
        raise CalendarUnreadable(
            "malformed: a line of the calendar cannot be read as iCalendar"
        ) from None
    vevents = list(parsed.walk("VEVENT"))
    if len(vevents) > MAX_EVENTS:
        raise CalendarUnreadable(f"{len(vevents)} events: more than {MAX_EVENTS} is no calendar")
    events: list[CalendarEvent] = []
    unreadable: set[str] = set()
    notes: list[str] = []
    without_uid = 0
    for vevent in vevents:
        uid = escape_unsafe(str(vevent.get("UID") or "").strip())[:MAX_UID_CHARS]
        if not uid:
            without_uid += 1
            continue
        try:
            event = _event(vevent, uid)
        except _BadEvent as problem:
            unreadable.add(uid)
            notes.append(f"event {uid}: {problem}")
            continue
        if vevent.get("RRULE") is not None:
            notes.append(f"event {uid} repeats (RRULE): only its first occurrence is read")
        events.append(event)
    if without_uid:
        notes.append(f"{without_uid} event(s) without a UID skipped")
    return Calendar(tuple(events), frozenset(unreadable), tuple(notes))


class _BadEvent(Exception):
    """One event's dates cannot be read."""


def _event(vevent: icalendar.Component, uid: str) -> CalendarEvent:
    start = _moment(vevent, "DTSTART")
    if start is None:
        raise _BadEvent("no DTSTART")
    end = _moment(vevent, "DTEND")
    if end is None:
        try:
            end = start + (_duration(vevent) or _default_length(start))
        except OverflowError:
            raise _BadEvent("its DURATION runs past the year 9999") from None
    if isinstance(start, datetime) != isinstance(end, datetime):
        raise _BadEvent("DTSTART and DTEND are not both dates or both times")
    if (
        isinstance(start, datetime)
        and isinstance(end, datetime)
        and (start.tzinfo is None) != (end.tzinfo is None)
    ):
        raise _BadEvent("one of DTSTART and DTEND has a time zone, the other has none")
    status = str(vevent.get("STATUS") or "").upper()
    return CalendarEvent(
        uid=uid,
        summary=strip_unsafe(_text(vevent, "SUMMARY")),
        description=_text(vevent, "DESCRIPTION"),
        start=start,
        end=end,
        cancelled=status == "CANCELLED",
    )


def _moment(vevent: icalendar.Component, name: str) -> date | datetime | None:
    prop = vevent.get(name)
    if prop is None:
        return None
    try:
        value = prop.dt
    except (AttributeError, ValueError, icalendar.InvalidCalendar):
        raise _BadEvent(f"{name} is not a date or a time") from None
    if not isinstance(value, date):
        raise _BadEvent(f"{name} is not a date or a time")
    if isinstance(value, datetime) and value.tzinfo is None and "TZID" in prop.params:
        raise _BadEvent(
            f"{name} names an unknown time zone ({escape_unsafe(str(prop.params['TZID'])[:64])})"
        )
    return value


def _duration(vevent: icalendar.Component) -> timedelta | None:
    prop = vevent.get("DURATION")
    if prop is None:
        return None
    try:
        value = prop.dt
    except (AttributeError, ValueError, icalendar.InvalidCalendar):
        raise _BadEvent("DURATION is not a duration") from None
    if not isinstance(value, timedelta):
        raise _BadEvent("DURATION is not a duration")
    return value


def _default_length(start: date | datetime) -> timedelta:
    """RFC 5545 3.6.1: without DTEND or DURATION, a date lasts a day, a time no time."""
    return timedelta(0) if isinstance(start, datetime) else timedelta(days=1)


def _text(vevent: icalendar.Component, name: str) -> str:
    value = vevent.get(name)
    return "" if value is None else str(value)[:MAX_TEXT_CHARS]
