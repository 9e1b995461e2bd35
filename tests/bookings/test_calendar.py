"""Reading calendars in the channels' shapes: all-day stays, zoned, UTC and floating times,
blocks, cancelled events, phone endings; and the bodies that are no calendar to trust."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from bookings.feeds import (
    Stay,
    airbnb,
    airbnb_block,
    airbnb_reservation,
    booking_com,
    calendar,
    vrbo,
)
from ttlock_bridge.bookings.calendar import CalendarUnreadable, read_calendar
from ttlock_bridge.bookings.stays import StayRules, feed_stays, grant_name, is_block
from ttlock_bridge.config.bookings import DEFAULT_IGNORE

BERLIN = ZoneInfo("Europe/Berlin")


def rules(**changes: object) -> StayRules:
    values: dict[str, object] = {
        "zone": BERLIN,
        "check_in": time(15, 0),
        "check_out": time(11, 0),
        "before_arrival": timedelta(0),
        "after_departure": timedelta(0),
        "ignore": DEFAULT_IGNORE,
        "name_template": "{summary}",
        "room": "room-1",
        "feed_host": "airbnb.com",
    }
    values.update(changes)
    return StayRules(**values)  # type: ignore[arg-type]


def ms(moment: datetime) -> int:
    return int(moment.timestamp() * 1000)


def test_an_airbnb_export_gives_its_reservations_at_check_in_and_check_out_times() -> None:
    body = airbnb(
        airbnb_reservation("a1", date(2026, 12, 1), date(2026, 12, 4), phone_last4="4827"),
        airbnb_block("b1", date(2026, 12, 10), date(2027, 3, 1)),
    )

    read = feed_stays(read_calendar(body).events, (), rules())

    [stay] = read.stays
    assert stay.uid == "a1@airbnb.com"
    assert stay.window.start_ms == ms(datetime(2026, 12, 1, 15, 0, tzinfo=BERLIN))
    assert stay.window.end_ms == ms(datetime(2026, 12, 4, 11, 0, tzinfo=BERLIN))
    assert (stay.summary, stay.name, stay.phone_last4) == ("Reserved", "Reserved", "4827")


def test_vrbo_and_booking_com_shapes_and_the_default_blocks() -> None:
    vrbo_read = feed_stays(
        read_calendar(
            vrbo(
                Stay("v1", date(2026, 12, 1), date(2026, 12, 3), summary="Reserved - Jane"),
                Stay("v2", date(2026, 12, 5), date(2026, 12, 7), summary="Blocked"),
            )
        ).events,
        (),
        rules(name_template="{summary} ({feed})"),
    )
    closed = booking_com(
        Stay("k1@booking.com", date(2026, 12, 1), date(2026, 12, 3), "CLOSED - Not available")
    )

    assert [(s.uid, s.name, s.phone_last4) for s in vrbo_read.stays] == [
        ("v1", "Reserved - Jane (airbnb.com)", None)
    ]
    # Booking.com labels bookings and closed nights alike: the default patterns skip both,
    # `ignore = []` takes every closed night for a stay (docs/bookings.md)
    assert feed_stays(read_calendar(closed).events, (), rules()).stays == ()
    assert len(feed_stays(read_calendar(closed).events, (), rules(ignore=())).stays) == 1


def test_timed_events_keep_their_zone_utc_or_are_property_local_when_floating() -> None:
    body = calendar(
        "-//Test//EN",
        [
            Stay(
                "ny",
                datetime(2026, 12, 1, 16, 0),
                datetime(2026, 12, 3, 10, 0),
                tzid="America/New_York",
            ),
            Stay(
                "utc",
                datetime(2026, 12, 1, 14, 0, tzinfo=UTC),
                datetime(2026, 12, 3, 9, 0, tzinfo=UTC),
            ),
            Stay("floating", datetime(2026, 12, 1, 16, 0), datetime(2026, 12, 3, 10, 0)),
        ],
    )

    stays = {s.uid: s.window for s in feed_stays(read_calendar(body).events, (), rules()).stays}

    new_york = ZoneInfo("America/New_York")
    assert stays["ny"].start_ms == ms(datetime(2026, 12, 1, 16, 0, tzinfo=new_york))
    assert stays["ny"].end_ms == ms(datetime(2026, 12, 3, 10, 0, tzinfo=new_york))
    assert stays["utc"].start_ms == ms(datetime(2026, 12, 1, 14, 0, tzinfo=UTC))
    assert stays["floating"].start_ms == ms(datetime(2026, 12, 1, 16, 0, tzinfo=BERLIN))


def test_a_stay_over_the_dst_change_keeps_local_check_in_and_check_out_times() -> None:
    # Berlin leaves summer time in the night to 25 Oct 2026: the stay is 1 h longer in UTC
    body = airbnb(airbnb_reservation("dst", date(2026, 10, 24), date(2026, 10, 26)))

    [stay] = feed_stays(read_calendar(body).events, (), rules()).stays

    assert stay.window.start_ms == ms(datetime(2026, 10, 24, 13, 0, tzinfo=UTC))  # 15:00 CEST
    assert stay.window.end_ms == ms(datetime(2026, 10, 26, 10, 0, tzinfo=UTC))  # 11:00 CET


def test_buffers_open_earlier_and_close_later() -> None:
    body = airbnb(airbnb_reservation("a1", date(2026, 12, 1), date(2026, 12, 4)))

    [stay] = feed_stays(
        read_calendar(body).events,
        (),
        rules(before_arrival=timedelta(minutes=60), after_departure=timedelta(minutes=30)),
    ).stays

    assert stay.window.start_ms == ms(datetime(2026, 12, 1, 14, 0, tzinfo=BERLIN))
    assert stay.window.end_ms == ms(datetime(2026, 12, 4, 11, 30, tzinfo=BERLIN))


def test_missing_dtend_cancelled_events_and_unreadable_dates() -> None:
    body = (
        calendar(
            "-//Test//EN",
            [
                Stay("one-night", date(2026, 12, 1), None),
                Stay("cancelled", date(2026, 12, 1), date(2026, 12, 2), status="CANCELLED"),
                Stay("same-day", date(2026, 12, 1), date(2026, 12, 1)),
            ],
        )
        .replace(b"UID:same-day", b"UID:same-day")
        .replace(
            b"END:VCALENDAR",
            b"BEGIN:VEVENT\r\nUID:broken\r\nDTSTART:garbage\r\nEND:VEVENT\r\nEND:VCALENDAR",
        )
    )

    parsed = read_calendar(body)
    read = feed_stays(parsed.events, parsed.unreadable_uids, rules())

    [stay] = read.stays
    assert stay.uid == "one-night"
    assert stay.window.end_ms == ms(datetime(2026, 12, 2, 11, 0, tzinfo=BERLIN))
    assert read.unusable_uids == {"broken", "same-day"}
    assert any("broken" in note for note in parsed.notes)


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        (b"<!DOCTYPE html><html><body>Log in</body></html>", "HTML page"),
        (b"", "empty"),
        (b'{"error": "rate limited"}', "not an iCalendar file"),
        (airbnb(airbnb_reservation("a1", date(2026, 12, 1), date(2026, 12, 4)))[:-40], "truncated"),
        (b"BEGIN:VCALENDAR\r\nthis is no content line\r\nEND:VCALENDAR\r\n", "malformed"),
    ],
)
def test_what_is_no_calendar_is_refused_with_a_reason(body: bytes, reason: str) -> None:
    with pytest.raises(CalendarUnreadable, match=reason):
        read_calendar(body)


def test_an_empty_calendar_is_a_calendar_without_events() -> None:
    assert read_calendar(airbnb()).events == ()


def test_blocks_match_any_case_and_names_are_made_safe() -> None:
    assert is_block("Airbnb (Not available)", DEFAULT_IGNORE)
    assert is_block("BLOCKED by owner", DEFAULT_IGNORE)
    assert not is_block("Reserved", DEFAULT_IGNORE)
    assert grant_name("{summary}", summary="Ann\u202e \x07Lee", room="r", feed="f") == "Ann Lee"
    assert grant_name("{summary}", summary="   ", room="room-1", feed="f") == "room-1"
    assert len(grant_name("{summary}", summary="x" * 300, room="r", feed="f")) == 100


LOS_ANGELES = ZoneInfo("America/Los_Angeles")


@pytest.mark.parametrize(
    ("lines", "zone"),
    [
        ("DTSTART:99991231T200000\r\nDTEND:99991231T230000", LOS_ANGELES),  # past 9999 in UTC
        ("DTSTART:00010101T000000\r\nDTEND:00010102T000000", BERLIN),  # before year 1 in UTC
        ("DTSTART;VALUE=DATE:99991231\r\nDTEND;VALUE=DATE:99991231", LOS_ANGELES),
        ("DTSTART:20261201T150000Z\r\nDURATION:P99999999D", BERLIN),
        ("DTSTART;VALUE=DATE:99991230\r\nDURATION:P5D", BERLIN),
        ("DTSTART;TZID=America/Los_Angeles:99991231T230000\r\nDTEND:99991231T235900Z", BERLIN),
    ],
)
def test_dates_no_clock_can_hold_make_one_event_unusable_never_the_read(
    lines: str, zone: ZoneInfo
) -> None:
    extreme = f"BEGIN:VEVENT\r\nUID:extreme\r\nSUMMARY:Reserved\r\n{lines}\r\nEND:VEVENT\r\n"
    body = airbnb(airbnb_reservation("fine", date(2026, 12, 1), date(2026, 12, 3))).replace(
        b"END:VCALENDAR", extreme.encode() + b"END:VCALENDAR"
    )

    parsed = read_calendar(body)
    read = feed_stays(parsed.events, parsed.unreadable_uids, rules(zone=zone))

    assert [stay.uid for stay in read.stays] == ["fine@airbnb.com"]
    assert "extreme" in read.unusable_uids


def test_uids_keep_unsafe_characters_only_as_escapes_and_summaries_lose_them() -> None:
    hostile = (
        "BEGIN:VEVENT\r\nUID:evil\x1b[2J\u202e@x\r\nSUMMARY:Res\x1b[31merved\u202e\r\n"
        "DTSTART;VALUE=DATE:20261201\r\nDTEND;VALUE=DATE:20261203\r\nEND:VEVENT\r\n"
    )
    body = airbnb().replace(b"END:VCALENDAR", hostile.encode() + b"END:VCALENDAR")

    [event] = read_calendar(body).events

    assert event.uid == "evil\\x1b[2J\\u202e@x"
    assert event.summary == "Res[31merved"
