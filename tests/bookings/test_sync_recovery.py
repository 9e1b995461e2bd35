"""What the booking sync finds after trouble, on the simulator with the real store: a renewed
export link (the bookings the old link listed carry on under the new one, grants and all), and a
create cut short by a crash (the grant it made is found by its idempotency key, not made
twice)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from access.conftest import ROOM_1, Hotel
from bookings.feeds import airbnb, airbnb_reservation, feed_server
from ttlock_bridge.access import GrantRequest
from ttlock_bridge.bookings import BookingSync
from ttlock_bridge.bookings.sync import grant_key
from ttlock_bridge.config.bookings import BookingSettings, feed_id


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


async def test_a_grant_made_before_a_crash_is_found_not_made_again(hotel: Hotel) -> None:
    arrival = (datetime.now(UTC) + timedelta(days=1)).date()
    with feed_server() as feeds:
        feeds.set("room-1.ics", airbnb(airbnb_reservation("hm1", arrival, arrival + timedelta(3))))
        url = feeds.url("room-1.ics")
        settings = BookingSettings(feeds=(url,))
        config = hotel.access.config.model_copy(update={"bookings": {"room-1": settings}})
        # the sync's create reached the access core, then the process died before the booking
        # row learnt its grant (the request differs: the feed added a night meanwhile)
        made = await hotel.access.grants.create(
            GrantRequest(start=f"{arrival}", end=f"{arrival + timedelta(2)}", room="room-1"),
            idempotency_key=grant_key(feed_id(url), "hm1@airbnb.com", 0),
        )
        sync = BookingSync(config, hotel.store, hotel.access, clock=hotel.clock)
        [step] = (await sync.sync()).feeds[0].steps
        [moved] = (await sync.sync()).feeds[0].steps  # the grant found holds older dates
        await sync.close()

    assert (step.action, step.grant_id) == ("create", made.id)
    assert "interrupted" in step.detail
    assert (moved.action, moved.grant_id) == ("change", made.id)
    grant = await hotel.access.grants.get(made.id)
    assert moved.window is not None
    assert (grant.start_ms, grant.end_ms) == (moved.window.start_ms, moved.window.end_ms)
    assert len(await hotel.access.grants.find(room="room-1")) == 1
    assert len(hotel.passcodes_on(ROOM_1)) == 1
