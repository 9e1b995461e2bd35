"""From a calendar's events to the stays a room's feed lists: which events are guests' stays,
their windows as instants, the name their grant gets and the guest's phone ending.

Pure. Times: an all-day event is the property's check-in time on its first day to the
check-out time on its end day (iCalendar's exclusive end is the departure day), in the
property's zone and DST-safe (`access.time_window.to_utc_ms`); a timed event keeps its own zone
(TZID or UTC) and a floating one is property-local. `before_arrival` opens the window earlier,
`after_departure` closes it later. Windows are UTC epoch milliseconds.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Final
from zoneinfo import ZoneInfo

from ttlock_bridge.access.text import MAX_NAME_CHARS
from ttlock_bridge.access.time_window import EmptyWindow, Window, to_utc_ms
from ttlock_bridge.bookings.calendar import CalendarEvent
from ttlock_bridge.text import unsafe_character

_PHONE_LAST4: Final = re.compile(r"Phone Number \(Last 4 Digits\):\s*(\d{4})\b", re.IGNORECASE)
"""Airbnb's DESCRIPTION line with the guest's phone ending."""
_MS: Final = timedelta(milliseconds=1)
_EPOCH: Final = datetime(1970, 1, 1, tzinfo=UTC)


@dataclass(frozen=True, slots=True)
class StayRules:
    """How one room reads its feeds: the property's zone and check-in/out times, the buffers,
    the summaries of blocks to ignore, and the grant name template."""

    zone: ZoneInfo
    check_in: time
    check_out: time
    before_arrival: timedelta
    after_departure: timedelta
    ignore: Sequence[str]
    name_template: str
    room: str
    feed_host: str


@dataclass(frozen=True, slots=True)
class FeedStay:
    """A guest's stay as a feed lists it: its UID, window (UTC epoch ms, buffers applied),
    SUMMARY, the grant's name, and the phone's last 4 digits when the feed gives them."""

    uid: str
    window: Window
    summary: str
    name: str
    phone_last4: str | None


@dataclass(frozen=True, slots=True)
class FeedStays:
    """What one read of a feed says: its stays, the UIDs it holds that cannot be used (dates
    unreadable or empty: such a booking is not gone), and notes for people."""

    stays: tuple[FeedStay, ...]
    unusable_uids: frozenset[str]
    notes: tuple[str, ...]


def is_block(summary: str, ignore: Iterable[str]) -> bool:
    """Whether the SUMMARY names a calendar block: it contains one of `ignore`, any case."""
    folded = summary.casefold()
    return any(pattern.casefold() in folded for pattern in ignore)


def phone_last4(description: str) -> str | None:
    """The 4 digits after "Phone Number (Last 4 Digits):" (Airbnb), or None."""
    found = _PHONE_LAST4.search(description)
    return found.group(1) if found else None


def grant_name(template: str, *, summary: str, room: str, feed: str) -> str:
    """The template (checked by the configuration: `{summary}`, `{room}`, `{feed}` only) filled
    in, made safe for a grant: characters that change how text reads become spaces, runs of
    spaces one, and a name longer than the access core takes is cut with "…" (feed text is no
    person's input to refuse); a blank result is the room's name."""
    filled = template.format(summary=summary, room=room, feed=feed)
    while (found := unsafe_character(filled)) is not None:
        position, _character = found
        filled = filled[:position] + " " + filled[position + 1 :]
    name = " ".join(filled.split())
    if len(name) > MAX_NAME_CHARS:
        name = name[: MAX_NAME_CHARS - 1].rstrip() + "…"
    return name or room


def instant_ms(moment: date | datetime, zone: ZoneInfo, time_of_day: time) -> int:
    """A calendar date or time as UTC epoch ms: a date at `time_of_day` property-local, a
    floating time property-local, a zoned time as it is."""
    if isinstance(moment, datetime):
        if moment.tzinfo is None:
            return to_utc_ms(moment, zone)
        return (moment - _EPOCH) // _MS
    return to_utc_ms(datetime.combine(moment, time_of_day), zone)


def stay_window(event: CalendarEvent, rules: StayRules) -> Window:
    """The event's window with the buffers; raises `EmptyWindow` when it ends before it
    starts (e.g. an all-day event ending the day it starts)."""
    start_ms = instant_ms(event.start, rules.zone, rules.check_in)
    end_ms = instant_ms(event.end, rules.zone, rules.check_out)
    before_ms = rules.before_arrival // _MS
    after_ms = rules.after_departure // _MS
    return Window(start_ms - before_ms, end_ms + after_ms)


def feed_stays(
    events: Iterable[CalendarEvent], unreadable_uids: Iterable[str], rules: StayRules
) -> FeedStays:
    """The stays among a calendar's events: blocks (`ignore`) and cancelled events are not
    stays; an event whose window is empty is unusable (noted, and not taken for gone)."""
    stays: list[FeedStay] = []
    unusable = set(unreadable_uids)
    notes: list[str] = []
    for event in events:
        if event.cancelled or is_block(event.summary, rules.ignore):
            continue
        try:
            window = stay_window(event, rules)
        except EmptyWindow:
            unusable.add(event.uid)
            notes.append(f"event {event.uid}: it ends before it starts")
            continue
        except OverflowError:  # a date a clock cannot hold (year 1 in a zone west of UTC...)
            unusable.add(event.uid)
            notes.append(f"event {event.uid}: its dates are out of range")
            continue
        stays.append(
            FeedStay(
                uid=event.uid,
                window=window,
                summary=" ".join(event.summary.split())[:200],
                name=grant_name(
                    rules.name_template,
                    summary=event.summary,
                    room=rules.room,
                    feed=rules.feed_host,
                ),
                phone_last4=phone_last4(event.description),
            )
        )
    seen: set[str] = set()
    unique: list[FeedStay] = []
    for stay in stays:  # one UID twice (a moved event left behind): the last one counts
        if stay.uid in seen:
            notes.append(f"event {stay.uid} is listed twice: the last one is read")
            unique = [kept for kept in unique if kept.uid != stay.uid]
        seen.add(stay.uid)
        unique.append(stay)
    return FeedStays(tuple(unique), frozenset(unusable - seen), tuple(notes))
