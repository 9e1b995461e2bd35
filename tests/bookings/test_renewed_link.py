"""A renewed export link is a new feed: the bookings the old link listed carry on under it
(their grants are adopted), instead of a second grant for the same stay. On the simulator,
with the real store."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from access.conftest import ROOM_1, Hotel
from bookings.feeds import airbnb, airbnb_reservation, feed_server
from ttlock_bridge.bookings import BookingSync
from ttlock_bridge.config.bookings import BookingSettings


async def test_the_bookings_of_a_renewed_link_keep_their_grants(hotel: Hotel) -> None:
    arrival = (datetime.now(UTC) + timedelta(days=1)).date()
    with feed_server() as feeds:
        feeds.set("room-1.ics", airbnb(airbnb_reservation("hm1", arrival, arrival + timedelta(2))))
        config = hotel.access.config

        def sync_for(secret: str) -> BookingSync:
            settings = BookingSettings(feeds=(feeds.url("room-1.ics", secret),))
            renewed = config.model_copy(update={"bookings": {"room-1": settings}})
            return BookingSync(renewed, hotel.store, hotel.access, clock=hotel.clock)

        old = sync_for("old-secret-0001")
        [created] = (await old.sync()).feeds[0].steps
        await old.close()
        new = sync_for("new-secret-0002")
        first = (await new.sync()).feeds[0]
        overview = await new.overview()
        await new.close()

    assert created.action == "create"
    assert first.steps == ()  # the grant carries on: nothing to create
    [line] = overview.bookings
    assert (line.uid, line.grant_id) == ("hm1@airbnb.com", created.grant_id)
    assert overview.events[0].action == "adopted"
    assert len(hotel.passcodes_on(ROOM_1)) == 1
