"""Reading a feed over HTTP: the body of a calendar export, or why it could not be had.

Every read is bounded: a time limit for the whole exchange, at most `MAX_FEED_BYTES` (counted
while the body streams in, whatever Content-Length says), at most `MAX_REDIRECTS` redirects.
A status other than 200 and an HTML answer (a login page behind an expired link) are failures
with their reason. Reasons name the feed by its label (`config.bookings.feed_label`): an
export link carries a secret, and httpx's own messages, which quote the URL, are never passed
on.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

import httpx

from ttlock_bridge import __version__

MAX_FEED_BYTES: Final = 2 * 1024 * 1024
"""A room's calendar is some kilobytes; 2 MiB is thousands of events."""
TIMEOUT_S: Final = 20.0
MAX_REDIRECTS: Final = 5
USER_AGENT: Final = f"ttlock-bridge/{__version__} (calendar sync)"


@dataclass(frozen=True, slots=True)
class FeedAnswer:
    """A read's outcome: the `body` (bytes), or the `failure` in words."""

    body: bytes | None
    failure: str | None


def http_client(timeout_s: float = TIMEOUT_S) -> httpx.AsyncClient:
    """The client feeds are read with: redirects followed (at most `MAX_REDIRECTS`), a time
    limit per read, a user agent that says who reads."""
    return httpx.AsyncClient(
        follow_redirects=True,
        max_redirects=MAX_REDIRECTS,
        timeout=httpx.Timeout(timeout_s),
        headers={"User-Agent": USER_AGENT, "Accept": "text/calendar, */*;q=0.5"},
    )


async def fetch_feed(
    client: httpx.AsyncClient, url: str, *, max_bytes: int = MAX_FEED_BYTES
) -> FeedAnswer:
    """GET `url`; the body when the answer is 200 and not HTML, within `max_bytes`."""
    try:
        async with client.stream("GET", url) as response:
            if response.status_code != httpx.codes.OK:
                return _failed(f"the channel answered HTTP {response.status_code}{_hint(response)}")
            declared = response.headers.get("content-length", "")
            if declared.isdigit() and int(declared) > max_bytes:
                return _failed(_too_large(max_bytes))
            kind = response.headers.get("content-type", "").split(";")[0].strip().lower()
            if kind in ("text/html", "application/xhtml+xml"):
                return _failed(
                    "an HTML page, not a calendar (a login or error page: is the export link "
                    "still valid?)"
                )
            body = bytearray()
            async for chunk in response.aiter_bytes():
                body += chunk
                if len(body) > max_bytes:
                    return _failed(_too_large(max_bytes))
            return FeedAnswer(bytes(body), None)
    except httpx.TimeoutException:
        return _failed(f"no answer within {client.timeout.read or TIMEOUT_S:.0f} s")
    except httpx.TooManyRedirects:
        return _failed(f"more than {MAX_REDIRECTS} redirects")
    except httpx.RemoteProtocolError:
        return _failed("the connection broke off before the calendar was complete (truncated)")
    except httpx.ConnectError:
        return _failed("unreachable: the host could not be connected to (DNS, network, TLS)")
    except httpx.HTTPError as error:
        return _failed(f"unreachable: {type(error).__name__}")


def _failed(reason: str) -> FeedAnswer:
    return FeedAnswer(None, reason)


def _too_large(max_bytes: int) -> str:
    return f"larger than {max_bytes // 1024} KiB: refused (no room's calendar is that large)"


def _hint(response: httpx.Response) -> str:
    if response.status_code in (401, 403, 404, 410):
        return " (the export link may have been renewed or revoked: copy it again)"
    if response.status_code in (429, 503):
        return " (the channel asks to come back later)"
    return ""
