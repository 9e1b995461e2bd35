"""Reading a feed over HTTP: the body of a calendar export, or why it could not be had.

Every read is bounded: `TIMEOUT_S` for the whole exchange, at most `MAX_FEED_BYTES` (counted
while the body streams in, whatever Content-Length says), at most `MAX_REDIRECTS` redirects.
A status other than 200 and an HTML answer (a login page behind an expired link) are failures
with their reason. Reasons name the feed by its label (`config.bookings.feed_label`): an
export link carries a secret, and httpx's own messages, which quote the URL, are never passed
on.

Redirects are followed one by one and each is judged first (`redirect_refusal`): the
configured link is the administrator's choice, where it sends the bridge next is the
channel's (or whoever took its domain over). A redirect may not leave https for plain http,
nor lead from a public host to this machine or a private network (`localhost`, loopback,
private, link-local, e.g. a cloud's metadata address); a link that is itself local may
redirect locally. Only literal addresses and `localhost` are judged: a public name that
resolves to a private address is not caught here.
"""

from __future__ import annotations

import asyncio
import ipaddress
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
    """The client feeds are read with: a time limit per read, a user agent that says who
    reads; redirects are `fetch_feed`'s to follow."""
    return httpx.AsyncClient(
        follow_redirects=False,
        timeout=httpx.Timeout(timeout_s),
        headers={"User-Agent": USER_AGENT, "Accept": "text/calendar, */*;q=0.5"},
    )


async def fetch_feed(
    client: httpx.AsyncClient,
    url: str,
    *,
    max_bytes: int = MAX_FEED_BYTES,
    deadline_s: float = TIMEOUT_S,
) -> FeedAnswer:
    """GET `url`; the body when the answer is 200 and not HTML, within `max_bytes`, after at
    most `MAX_REDIRECTS` redirects that `redirect_refusal` lets through, all of it within
    `deadline_s` (a channel that sends a byte now and then cannot hold a read for longer)."""
    host = httpx.URL(url).host
    after = ""
    try:
        async with asyncio.timeout(deadline_s):
            request = client.build_request("GET", url)
            for redirects in range(MAX_REDIRECTS + 1):
                if redirects:
                    host, after = request.url.host, f" after a redirect to {request.url.host}"
                response = await client.send(request, stream=True)
                try:
                    if response.next_request is None:
                        return await _calendar(response, after, max_bytes)
                    refusal = redirect_refusal(httpx.URL(url), response.next_request.url)
                    if refusal is not None:
                        return _failed(refusal)
                    request = response.next_request
                finally:
                    await response.aclose()
            return _failed(f"more than {MAX_REDIRECTS} redirects")
    except (TimeoutError, httpx.TimeoutException):
        return _failed(f"no complete answer within {deadline_s:.0f} s{after}")
    except httpx.RemoteProtocolError:
        return _failed(
            f"the connection broke off before the calendar was complete (truncated){after}"
        )
    except httpx.ConnectError:
        return _failed(f"unreachable{after}: {host} could not be connected to (DNS, network, TLS)")
    except httpx.HTTPError as error:
        return _failed(f"unreachable{after}: {type(error).__name__}")


async def _calendar(response: httpx.Response, after: str, max_bytes: int) -> FeedAnswer:
    """The final answer's body, or why it is none (`after`: where a redirect led, or "")."""
    if response.status_code != httpx.codes.OK:
        hint = "" if after else _hint(response)
        return _failed(f"the channel answered HTTP {response.status_code}{after}{hint}")
    declared = response.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > max_bytes:
        return _failed(_too_large(max_bytes))
    kind = response.headers.get("content-type", "").split(";")[0].strip().lower()
    if kind in ("text/html", "application/xhtml+xml"):
        return _failed(
            f"an HTML page{after}, not a calendar (a login or error page: is the export link "
            "still valid?)"
        )
    body = bytearray()
    async for chunk in response.aiter_bytes():
        body += chunk
        if len(body) > max_bytes:
            return _failed(_too_large(max_bytes))
    return FeedAnswer(bytes(body), None)


def redirect_refusal(link: httpx.URL, target: httpx.URL) -> str | None:
    """Why a redirect from the configured `link`'s read to `target` is not followed, or None
    (module docstring). The reason names the target's host only (no path, no query)."""
    if target.scheme not in ("http", "https"):
        return f"a redirect to a {target.scheme or 'relative'} link: only http(s) is read"
    if link.scheme == "https" and target.scheme == "http":
        return (
            f"a redirect from https to plain http ({target.host}): refused, the calendar "
            "would travel unencrypted"
        )
    if _is_local(target.host) and not _is_local(link.host):
        return (
            f"a redirect to this machine or a private network ({target.host}): refused, a "
            "channel's calendar is never there"
        )
    return None


def _is_local(host: str) -> bool:
    """`localhost` (and its subdomains), or a literal address that is not a public one."""
    name = host.lower().rstrip(".")
    if name == "localhost" or name.endswith(".localhost"):
        return True
    try:
        address = ipaddress.ip_address(name)
    except ValueError:
        return False
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    return not address.is_global


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
