"""The booking sync's series for `/metrics`, read from `BookingSync` at scrape time.

Feeds are labelled by room and `feed_id` (a hash: a feed's link carries a secret).
"""

from __future__ import annotations

from collections.abc import Iterator

from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric
from prometheus_client.registry import Collector

from ttlock_bridge.bookings.sync import BookingSync


class BookingMetrics(Collector):
    """`ttlock_bridge_booking_feed_up`, `..._feed_last_success_seconds`, `..._feed_reads`,
    `..._actions`."""

    def __init__(self, sync: BookingSync) -> None:
        self._sync = sync

    def collect(self) -> Iterator[Metric]:
        up = GaugeMetricFamily(
            "ttlock_bridge_booking_feed_up",
            "1 when the feed's last read succeeded, 0 when it failed; absent before the first.",
            labels=["room", "feed_id"],
        )
        last = GaugeMetricFamily(
            "ttlock_bridge_booking_feed_last_success_seconds",
            "When the feed was last read successfully (UTC epoch seconds).",
            labels=["room", "feed_id"],
        )
        for status in self._sync.statuses.values():
            labels = [status.room, status.feed_id]
            if status.last_attempt_ms is not None:
                up.add_metric(labels, 0 if status.failures else 1)
            if status.last_success_ms is not None:
                last.add_metric(labels, status.last_success_ms / 1000)
        yield up
        yield last
        reads = CounterMetricFamily(
            "ttlock_bridge_booking_feed_reads",
            "Reads of booking feeds since start, by room and outcome (ok, failed).",
            labels=["room", "outcome"],
        )
        for (room, outcome), count in sorted(self._sync.reads.items()):
            reads.add_metric([room, outcome], count)
        yield reads
        actions = CounterMetricFamily(
            "ttlock_bridge_booking_actions",
            "What the booking sync did since start (create, change, cancel, kept_guest_in, "
            "cancel_waits, missing, gone, forget).",
            labels=["action"],
        )
        for action, count in sorted(self._sync.actions.items()):
            actions.add_metric([action], count)
        yield actions
