"""A booking's whole life through `BookingSync` on each kind of store (SQLite and a private
PostgreSQL, as the store tests start it), on the simulator: made, moved, missed once, cancelled
after the doors' records say the guest never came, and back again as a new grant."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from access.conftest import Hotel
from bookings.feeds import airbnb, airbnb_reservation, feed_server
from ttlock_bridge.access import Access
from ttlock_bridge.bookings import BookingSync
from ttlock_bridge.bookings.plan import CONFIRM_AFTER_MS
from ttlock_bridge.config.bookings import BookingSettings
from ttlock_bridge.store import open_store


async def test_a_booking_lives_and_goes_the_same_on_each_database(
    hotel: Hotel, database_url: str
) -> None:
    store = open_store(database_url)
    access = Access(hotel.access.config, store, hotel.cloud, clock=hotel.clock)
    arrival = (datetime.now(UTC) + timedelta(days=1)).date()
    booked = airbnb_reservation("hm1", arrival, arrival + timedelta(2))
    other = airbnb_reservation("hm2", arrival + timedelta(30), arrival + timedelta(32))
    try:
        with feed_server() as feeds:
            settings = BookingSettings(feeds=(feeds.url("room-1.ics"),))
            config = access.config.model_copy(update={"bookings": {"room-1": settings}})
            sync = BookingSync(config, store, access, clock=hotel.clock)

            async def actions() -> list[tuple[str, str]]:
                report = await sync.sync()
                return [(step.action, step.uid) for step in report.feeds[0].steps]

            feeds.set("room-1.ics", airbnb(booked, other))
            created = await actions()
            moved_stay = airbnb_reservation("hm1", arrival, arrival + timedelta(3))
            feeds.set("room-1.ics", airbnb(moved_stay, other))
            moved = await actions()
            feeds.set("room-1.ics", airbnb(other))
            missed = await actions()
            hotel.clock.offset_ms += CONFIRM_AFTER_MS  # a second miss counts minutes later
            cancelled, gone = await actions(), await actions()
            feeds.set("room-1.ics", airbnb(moved_stay, other))
            back = await actions()
            overview = await sync.overview()
            await sync.close()
    finally:
        store.close()

    assert created == [("create", "hm1@airbnb.com")]
    assert moved == [("change", "hm1@airbnb.com")]
    assert (missed, cancelled, gone) == (
        [("missing", "hm1@airbnb.com")],
        [("cancel", "hm1@airbnb.com")],
        [("gone", "hm1@airbnb.com")],
    )
    assert back == [("create", "hm1@airbnb.com")]
    line = {b.uid: b for b in overview.bookings}["hm1@airbnb.com"]
    assert line.grant is not None
    assert (line.grant.state, line.grant.end_local[:10]) == ("active", f"{arrival + timedelta(3)}")
    assert [event.action for event in overview.events][:5] == [
        "created",
        "cancelled",
        "missing",
        "changed",
        "created",
    ]
