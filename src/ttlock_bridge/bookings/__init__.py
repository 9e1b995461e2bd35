"""Bookings in, codes out: a room's booking calendars (iCal exports of Airbnb, Booking.com,
VRBO...) read on a schedule and turned into grants through the access core.

Layer: above `access` and `operations` (it acts through `Access` and is reported in `/readyz`
and `/metrics`), below the channels and the composition root (the REST channel shows it, the
runtime runs it). Pure parts: `calendar` (bytes -> events), `stays` (events -> a room's stays),
`plan` (the sync rule); I/O: `fetch` (HTTP), `sync` (`BookingSync`: store, access, schedule),
`metrics` (the Prometheus collector).
"""

from ttlock_bridge.bookings.sync import (
    BookingLine,
    BookingsOverview,
    BookingSync,
    Feed,
    FeedReport,
    FeedStatus,
    StepOutcome,
    SyncReport,
    configured_feeds,
)

__all__ = [
    "BookingLine",
    "BookingSync",
    "BookingsOverview",
    "Feed",
    "FeedReport",
    "FeedStatus",
    "StepOutcome",
    "SyncReport",
    "configured_feeds",
]
