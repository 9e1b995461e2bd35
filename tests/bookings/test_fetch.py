"""Reading feeds over real HTTP on loopback: what a channel may answer, and the reasons given,
which never repeat the export link (it carries a secret)."""

from __future__ import annotations

from datetime import date

import pytest

from bookings.feeds import airbnb, airbnb_reservation, feed_server
from ttlock_bridge.bookings.fetch import fetch_feed, http_client

SECRET = "s3cr3t-t0ken-0123456789"
CALENDAR = airbnb(airbnb_reservation("a1", date(2026, 12, 1), date(2026, 12, 4)))


@pytest.mark.parametrize(
    ("status", "body", "content_type", "reason"),
    [
        (500, b"oops", "text/plain", "the channel answered HTTP 500"),
        (404, b"gone", "text/plain", "the channel answered HTTP 404 (the export link may"),
        (200, b"<html>Sign in</html>", "text/html; charset=utf-8", "an HTML page"),
    ],
)
async def test_failures_have_a_reason_without_the_link(
    status: int, body: bytes, content_type: str, reason: str
) -> None:
    with feed_server() as server:
        server.set("room-1.ics", body, status=status, content_type=content_type)
        async with http_client() as client:
            answer = await fetch_feed(client, server.url("room-1.ics", SECRET))

    assert answer.body is None
    assert answer.failure is not None
    assert answer.failure.startswith(reason)
    assert SECRET not in answer.failure


async def test_a_calendar_is_read_and_a_too_large_one_refused() -> None:
    with feed_server() as server:
        server.set("room-1.ics", CALENDAR)
        async with http_client() as client:
            read = await fetch_feed(client, server.url("room-1.ics"))
            refused = await fetch_feed(client, server.url("room-1.ics"), max_bytes=100)

    assert read.body == CALENDAR
    assert refused.failure is not None
    assert refused.failure.startswith("larger than")


async def test_an_unreachable_or_silent_host_is_a_failure_with_a_reason() -> None:
    with feed_server() as server:
        url = server.url("room-1.ics", SECRET)
    async with http_client() as client:  # the server is gone: nothing listens there
        unreachable = await fetch_feed(client, url)

    assert unreachable.failure is not None
    assert unreachable.failure.startswith("unreachable")
    assert SECRET not in unreachable.failure
