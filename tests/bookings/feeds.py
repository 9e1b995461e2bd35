"""Booking calendars in the shapes the channels export, built here (no copied files), and a
loopback HTTP server that answers what the test says, changing between reads.

Shapes, from public documentation and issue threads: Airbnb exports each reservation as an
all-day event (DTSTART/DTEND `VALUE=DATE`, DTEND the check-out day), SUMMARY "Reserved",
DESCRIPTION with the reservation link and "Phone Number (Last 4 Digits): NNNN", blocked nights
as "Airbnb (Not available)"; VRBO "Reserved - <name>" and "Blocked"; Booking.com
"CLOSED - Not available" for every closed night. Lines end in CRLF and are folded at 75 octets.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

EXPORT_SECRET = "s3cr3t-t0ken-0123456789"
"""The secret part of the test feeds' links (`?s=`), which must never show."""


@dataclass(frozen=True)
class Stay:
    """An event: all-day from `start` to `end` (dates), or timed (datetimes: aware -> UTC
    or `tzid`, naive -> floating)."""

    uid: str
    start: date | datetime
    end: date | datetime | None
    summary: str = "Reserved"
    description: str | None = None
    tzid: str | None = None
    status: str | None = None


def _fold(line: str) -> str:
    """RFC 5545 3.1: lines longer than 75 octets continue after CRLF and a space."""
    data = line.encode()
    parts = [data[:75]]
    data = data[75:]
    while data:
        parts.append(b" " + data[:74])
        data = data[74:]
    return "\r\n".join(part.decode(errors="ignore") for part in parts)


def _escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,").replace("\n", "\\n")


def _moment(name: str, value: date | datetime, tzid: str | None) -> str:
    if not isinstance(value, datetime):
        return f"{name};VALUE=DATE:{value:%Y%m%d}"
    if tzid is not None:
        return f"{name};TZID={tzid}:{value:%Y%m%dT%H%M%S}"
    if value.tzinfo is not None:
        from datetime import UTC

        return f"{name}:{value.astimezone(UTC):%Y%m%dT%H%M%SZ}"
    return f"{name}:{value:%Y%m%dT%H%M%S}"


def calendar(prodid: str, stays: Sequence[Stay]) -> bytes:
    lines = ["BEGIN:VCALENDAR", f"PRODID:{prodid}", "CALSCALE:GREGORIAN", "VERSION:2.0"]
    for stay in stays:
        lines += ["BEGIN:VEVENT", "DTSTAMP:20261120T101010Z"]
        if stay.end is not None:
            lines.append(_moment("DTEND", stay.end, stay.tzid))
        lines.append(_moment("DTSTART", stay.start, stay.tzid))
        lines.append(f"UID:{stay.uid}")
        if stay.description is not None:
            lines.append(f"DESCRIPTION:{_escape(stay.description)}")
        if stay.status is not None:
            lines.append(f"STATUS:{stay.status}")
        lines += [f"SUMMARY:{_escape(stay.summary)}", "END:VEVENT"]
    lines.append("END:VCALENDAR")
    return ("\r\n".join(_fold(line) for line in lines) + "\r\n").encode()


def airbnb_reservation(
    uid: str, start: date | datetime, end: date | datetime, phone_last4: str = "4827"
) -> Stay:
    """A reservation as Airbnb exports it (all-day for dates; with datetimes, a timed event,
    as a channel manager may write it, so a test's stay can have begun)."""
    return Stay(
        uid=f"{uid}@airbnb.com",
        start=start,
        end=end,
        summary="Reserved",
        description=(
            f"Reservation URL: https://www.airbnb.com/hosting/reservations/details/HM{uid.upper()}"
            f"\nPhone Number (Last 4 Digits): {phone_last4}"
        ),
    )


def airbnb_block(uid: str, start: date, end: date) -> Stay:
    return Stay(uid=f"{uid}@airbnb.com", start=start, end=end, summary="Airbnb (Not available)")


def airbnb(*stays: Stay) -> bytes:
    return calendar("-//Airbnb Inc//Hosting Calendar 1.0//EN", stays)


def vrbo(*stays: Stay) -> bytes:
    return calendar("-//HomeAway.com, Inc.//EN", stays)


def booking_com(*stays: Stay) -> bytes:
    return calendar("-//admin.booking.com//Booking.com Calendar//EN", stays)


@dataclass
class Answer:
    status: int = 200
    body: bytes = b""
    content_type: str = "text/calendar; charset=utf-8"
    location: str | None = None
    drip_s: float = 0.0
    """Send the body a byte at a time, this long apart (a channel that never quite answers)."""


@dataclass
class FeedServer:
    """Feeds at `url(path)`; `set(path, ...)` changes what the next reads get; `reads[path]`
    counts reads."""

    base_url: str
    answers: dict[str, Answer] = field(default_factory=dict)
    reads: dict[str, int] = field(default_factory=dict)

    def url(self, path: str, secret: str = EXPORT_SECRET) -> str:
        return f"{self.base_url}/{path}?s={secret}"

    def set(
        self,
        path: str,
        body: bytes,
        *,
        status: int = 200,
        content_type: str = "text/calendar; charset=utf-8",
        location: str | None = None,
        drip_s: float = 0.0,
    ) -> None:
        self.answers[path] = Answer(status, body, content_type, location, drip_s)

    def redirect(self, path: str, to: str, *, status: int = 302) -> None:
        """`path` answers a redirect to `to` (a path of this server, or any URL)."""
        target = to if "://" in to else f"{self.base_url}/{to}"
        self.set(path, b"", status=status, content_type="text/plain", location=target)


@contextmanager
def feed_server() -> Iterator[FeedServer]:
    """A threaded HTTP server on 127.0.0.1 (a free port), stopped afterwards."""
    state = FeedServer("")

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            path = self.path.split("?")[0].lstrip("/")
            state.reads[path] = state.reads.get(path, 0) + 1
            answer = state.answers.get(path, Answer(404, b"not found", "text/plain"))
            self.send_response(answer.status)
            self.send_header("Content-Type", answer.content_type)
            if answer.location is not None:
                self.send_header("Location", answer.location)
            self.send_header("Content-Length", str(len(answer.body)))
            self.end_headers()
            if not answer.drip_s:
                self.wfile.write(answer.body)
                return
            try:
                for byte in answer.body:
                    self.wfile.write(bytes([byte]))
                    self.wfile.flush()
                    time.sleep(answer.drip_s)
            except OSError:
                return  # the reader gave up

        def log_message(self, format: str, *args: object) -> None:
            """Quiet."""

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    state.base_url = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield state
    finally:
        server.shutdown()
        server.server_close()
