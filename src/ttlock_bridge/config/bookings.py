"""The `[bookings.<room>]` sections: which booking calendars (iCal export links of Airbnb,
Booking.com, VRBO...) feed a room's grants, how often they are read, and how a booking becomes a
grant.

An export link carries a secret token (whoever has it reads the room's bookings), so it is
treated like a password: it may sit in the file (`feeds`), or come from an environment variable
(`feeds_env`) or a file (`feeds_file`) the section names; wherever a link is shown (errors,
logs, the API, `/readyz`) it is shown masked by `feed_label`: scheme, host and a short hash
(`https://www.airbnb.com/…#3f2a9c1d`), never its path or query.
"""

from __future__ import annotations

import hashlib
import os
import re
import string
from collections.abc import Collection, Mapping
from datetime import timedelta
from pathlib import Path
from typing import Annotated, Final, Literal
from urllib.parse import parse_qsl, urlsplit

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field, field_validator

from ttlock_bridge.config.durations import Duration, at_least
from ttlock_bridge.config.problems import Problem

DEFAULT_IGNORE: Final = ("Not available", "Blocked")
"""Summaries of calendar blocks that are no guest's stay, matched as case-insensitive parts of
an event's SUMMARY: Airbnb exports blocked nights as "Airbnb (Not available)", VRBO owner blocks
as "Blocked". (Booking.com labels every night it closes "CLOSED - Not available", bookings
included: see docs/bookings.md.)"""

NAME_FIELDS: Final = ("summary", "room", "feed")
"""What a `name` template may use: the event's SUMMARY, the room, the feed's host."""

FEED_ID_CHARS: Final = 16
"""Hex characters of SHA-256 that name a feed in the database, the API and the metrics."""

_ENV_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
_MINUTES_IN_A_DAY = 24 * 60


def feed_id(url: str) -> str:
    """The feed's stable name: the first `FEED_ID_CHARS` hex digits of the URL's SHA-256.
    Nothing of the URL can be read back from it."""
    return hashlib.sha256(url.encode()).hexdigest()[:FEED_ID_CHARS]


def feed_label(url: str) -> str:
    """The feed as people may see it: scheme and host, then `…#` and 8 hex digits of its hash
    (`https://www.airbnb.com/…#3f2a9c1d`); the path and query (the secret) never appear."""
    try:
        parts = urlsplit(url)
        host = parts.hostname or "?"
        port = f":{parts.port}" if _has_port(parts.netloc) else ""
    except ValueError:  # not a URL at all (an unclosed [ of IPv6, a port out of range)
        return f"(not a link)#{feed_id(url)[:8]}"
    return f"{parts.scheme or '?'}://{host}{port}/…#{feed_id(url)[:8]}"


def feed_secrets(url: str) -> list[str]:
    """What of an export link must never show in a log line: the link, its path and query,
    and each query value and path segment of 8 characters or more (the token sits in one of
    them, depending on the channel)."""
    parts = urlsplit(url)
    pieces = [value for _key, value in parse_qsl(parts.query)] + parts.path.split("/")
    return [url, parts.path, parts.query, *(piece for piece in pieces if len(piece) >= 8)]


def feed_host(url: str) -> str:
    """The feed's host without `www.` (`airbnb.com`): the `{feed}` of a name template."""
    return (urlsplit(url).hostname or "").removeprefix("www.")


def _has_port(netloc: str) -> bool:
    host = netloc.rpartition("@")[2]
    return bool(re.search(r":\d+$", host))


def _check_url(url: str) -> str:
    """An http(s) URL with a host; the message never repeats it (it carries a secret)."""
    try:
        parts = urlsplit(url.strip())
        usable = parts.scheme in ("http", "https") and bool(parts.hostname)
        usable = usable and (parts.port is None or parts.port > 0)  # raises when out of range
    except ValueError:
        usable = False
    if not usable or any(c.isspace() for c in url):
        raise ValueError(
            "a feed is the calendar's export link, starting with https:// (the link itself is "
            "not repeated here: it carries a secret)"
        )
    return url.strip()


def _check_template(template: str) -> str:
    """Only `{summary}`, `{room}` and `{feed}`, without conversions or format specs."""
    try:
        parts = list(string.Formatter().parse(template))
    except ValueError as error:
        raise ValueError(f'not a name template: {error} (write e.g. "{{summary}}")') from None
    for _text, field, spec, conversion in parts:
        if field is None:
            continue
        if field not in NAME_FIELDS or spec or conversion:
            raise ValueError(
                f"a name template may use {', '.join('{' + f + '}' for f in NAME_FIELDS)} only "
                f"(found {{{field}{'!' + conversion if conversion else ''}"
                f"{':' + spec if spec else ''}}})"
            )
    return template


def _minutes(value: object) -> object:
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValueError("write a whole number of minutes, e.g. 30")
    if not 0 <= value <= _MINUTES_IN_A_DAY:
        raise ValueError(f"write 0 to {_MINUTES_IN_A_DAY} minutes")
    return timedelta(minutes=value)


FeedUrl = Annotated[str, Field(strict=True), AfterValidator(_check_url)]
Minutes = Annotated[timedelta, BeforeValidator(_minutes)]
NameTemplate = Annotated[str, Field(min_length=1, max_length=200), AfterValidator(_check_template)]


class BookingSettings(BaseModel):
    """One room's booking calendars and how their bookings become grants.

    After loading, `feeds` holds every export link of the room: those written here, then those
    of `feeds_env` and `feeds_file` (one link per line; `#` starts a comment).
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    feeds: tuple[FeedUrl, ...] = ()
    feeds_env: Annotated[str, Field(pattern=_ENV_NAME.pattern)] | None = None
    """An environment variable holding the links (separated by spaces or new lines)."""
    feeds_file: str | None = None
    """A file holding the links, relative to the configuration file."""
    poll: Annotated[Duration, at_least(timedelta(minutes=1))] = timedelta(minutes=15)
    """How often each feed is read; every read is moved by up to a tenth either way (jitter)
    so many feeds never hit a channel together."""
    lead_time: Duration = timedelta(days=2)
    """How long before arrival the code is issued (and placed on the doors)."""
    code: Literal["generated", "phone_last4"] = "generated"
    """`phone_last4`: the last 4 digits of the guest's phone where the feed gives them (Airbnb),
    when the passcode policy accepts them; a generated code otherwise."""
    name: NameTemplate = "{summary}"
    ignore: tuple[str, ...] = DEFAULT_IGNORE
    """Events whose SUMMARY contains one of these (any case) are calendar blocks, not stays."""
    before_arrival: Minutes = timedelta(0)
    """The code works this many minutes before check-in (0 to 1440)."""
    after_departure: Minutes = timedelta(0)
    """...and this many minutes after check-out."""

    @field_validator("ignore")
    @classmethod
    def _ignore_patterns_not_blank(cls, patterns: tuple[str, ...]) -> tuple[str, ...]:
        if any(not pattern.strip() for pattern in patterns):
            raise ValueError("an ignore pattern is blank: it would ignore every event")
        return patterns


def resolve_feeds(
    settings: BookingSettings,
    room: str,
    file: Path,
    environ: Mapping[str, str] = os.environ,
) -> tuple[BookingSettings, list[Problem]]:
    """The settings with `feeds` holding every link of the room (the file's, the variable's,
    the feeds file's), and the problems met: a variable unset, a file unreadable, a link that
    is not one. Problems show links masked (`feed_label`)."""
    key = f"bookings.{room}"
    urls = list(settings.feeds)
    problems: list[Problem] = []
    texts: list[tuple[str, str]] = []
    if settings.feeds_env is not None:
        value = environ.get(settings.feeds_env, "")
        if not value.strip():
            problems.append(
                Problem(
                    file,
                    f"{key}.feeds_env",
                    f"{settings.feeds_env} is not set: export it (the room's export links, "
                    "separated by spaces) where the bridge runs",
                    settings.feeds_env,
                )
            )
        texts.append((f"{key}.feeds_env", value))
    if settings.feeds_file is not None:
        path = file.resolve().parent / settings.feeds_file
        try:
            texts.append((f"{key}.feeds_file", path.read_text(encoding="utf-8")))
        except (OSError, UnicodeDecodeError) as error:
            reason = "file not found" if isinstance(error, FileNotFoundError) else "unreadable"
            problems.append(
                Problem(
                    file,
                    f"{key}.feeds_file",
                    f"{reason} (relative to this file): it holds the room's export links, one "
                    "per line",
                    settings.feeds_file,
                )
            )
    for where, text in texts:
        for line in text.splitlines():
            for word in line.partition("#")[0].split():
                try:
                    urls.append(_check_url(word))
                except ValueError as error:
                    problems.append(Problem(file, where, str(error), feed_label(word)))
    if not urls and not problems:
        problems.append(
            Problem(
                file,
                key,
                "no feed: give the room's export links in feeds, feeds_env or feeds_file",
            )
        )
    return settings.model_copy(update={"feeds": tuple(dict.fromkeys(urls))}), problems


def bookings_cross_check(
    bookings: Mapping[str, BookingSettings], rooms: Collection[str], file: Path
) -> list[Problem]:
    """Each `[bookings.<room>]` names a room of `[rooms]`, and no link feeds two rooms (its
    bookings would be two grants). Run on resolved settings (`resolve_feeds`)."""
    problems = [
        Problem(
            file,
            f"bookings.{room}",
            f"unknown room '{room}': bookings feed a room of [rooms]; define [rooms.{room}]",
            room,
        )
        for room in bookings
        if room not in rooms
    ]
    first_room: dict[str, str] = {}
    for room, settings in bookings.items():
        for url in settings.feeds:
            owner = first_room.setdefault(url, room)
            if owner != room:
                problems.append(
                    Problem(
                        file,
                        f"bookings.{room}.feeds",
                        f"this feed already feeds room '{owner}': a calendar belongs to one "
                        "room (its bookings would become two grants)",
                        feed_label(url),
                    )
                )
    return problems
