"""Reading feeds over real HTTP on loopback: what a channel may answer, and the reasons given,
which never repeat the export link (it carries a secret)."""

from __future__ import annotations

from datetime import date

import httpx
import pytest

from bookings.feeds import airbnb, airbnb_reservation, feed_server
from ttlock_bridge.bookings.fetch import MAX_REDIRECTS, fetch_feed, http_client, redirect_refusal

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


async def test_redirects_are_followed_and_failures_after_one_say_where_they_led() -> None:
    with feed_server() as server:
        server.set("moved.ics", CALENDAR)
        server.redirect("room-1.ics", "moved.ics")
        server.redirect("room-2.ics", server.base_url.replace("127.0.0.1", "localhost") + "/x")
        server.redirect("loop.ics", "loop.ics")
        async with http_client() as client:
            moved = await fetch_feed(client, server.url("room-1.ics", SECRET))
            lost = await fetch_feed(client, server.url("room-2.ics", SECRET))
            looping = await fetch_feed(client, server.url("loop.ics", SECRET))

    assert moved.body == CALENDAR  # a local link may redirect locally
    assert lost.failure == "the channel answered HTTP 404 after a redirect to localhost"
    assert looping.failure == f"more than {MAX_REDIRECTS} redirects"
    assert server.reads["loop.ics"] == MAX_REDIRECTS + 1


async def test_a_redirect_to_another_scheme_is_refused_without_following_it() -> None:
    with feed_server() as server:
        server.redirect("room-1.ics", "file:///etc/passwd")
        async with http_client() as client:
            refused = await fetch_feed(client, server.url("room-1.ics", SECRET))

    assert refused.failure == "a redirect to a file link: only http(s) is read"


PUBLIC = "https://www.airbnb.com/calendar/ical/1.ics?s=" + SECRET


@pytest.mark.parametrize(
    "target",
    [
        "http://127.0.0.1:8125/api/v1/grants",
        "https://localhost/x",
        "https://api.localhost./x",
        "https://10.1.2.3/x",
        "https://192.168.1.20/x",
        "https://169.254.169.254/latest/meta-data/",
        "https://[::1]:8125/x",
        "https://[fe80::1]/x",
        "https://[::ffff:127.0.0.1]/x",
        "https://100.64.0.1/x",
    ],
)
def test_a_public_link_may_not_redirect_to_this_machine_or_a_private_network(target: str) -> None:
    reason = redirect_refusal(httpx.URL(PUBLIC), httpx.URL(target))

    assert reason is not None
    assert SECRET not in reason
    assert "/x" not in reason
    assert "meta-data" not in reason


@pytest.mark.parametrize(
    ("link", "target", "followed"),
    [
        (PUBLIC, "https://calendar.airbnb.com/other.ics?s=1", True),
        (PUBLIC, "https://8.8.8.8/x.ics", True),
        (PUBLIC, "http://www.airbnb.com/calendar/ical/1.ics", False),  # https -> http
        ("http://example.com/a.ics", "https://example.com/a.ics", True),
        ("http://127.0.0.1:8080/a.ics", "http://192.168.1.2/a.ics", True),  # local to local
        ("http://[::1]/a.ics", "http://localhost/a.ics", True),
    ],
)
def test_redirects_between_public_hosts_and_within_local_links_are_followed(
    link: str, target: str, followed: bool
) -> None:
    assert (redirect_refusal(httpx.URL(link), httpx.URL(target)) is None) is followed


async def test_a_channel_that_drips_its_answer_cannot_hold_a_read_past_the_deadline() -> None:
    with feed_server() as server:
        server.set("room-1.ics", CALENDAR, drip_s=0.2)
        async with http_client() as client:
            dripped = await fetch_feed(client, server.url("room-1.ics", SECRET), deadline_s=1)

    assert dripped.failure == "no complete answer within 1 s"


async def test_a_host_unreachable_after_a_redirect_is_named() -> None:
    with feed_server() as gone:
        elsewhere = gone.base_url
    with feed_server() as server:
        server.redirect("room-1.ics", f"{elsewhere}/moved.ics")
        async with http_client() as client:
            answer = await fetch_feed(client, server.url("room-1.ics", SECRET))

    assert answer.failure == (
        "unreachable after a redirect to 127.0.0.1: 127.0.0.1 could not be connected to "
        "(DNS, network, TLS)"
    )
