"""Bad input shown next to the field that caused it: reading the forms' dates and times, and
which form field an access error is about.

Forms send a date and a time per end of a stay (`arrival_date`, `arrival_time`,
`departure_date`, `departure_time`) in the property's time, joined into the local ISO time
the access core reads. The console is stricter than the API: a person types a date
(`2026-12-01`, what a date picker sends) and a time on the 24-hour clock (`15:00` or `9:00`),
never an offset, and is told so in words for people.
"""

from __future__ import annotations

import re
from datetime import date
from typing import Final

from starlette.datastructures import FormData

from ttlock_bridge.access.errors import (
    AccessError,
    CodeClash,
    OfflineCodeChosen,
    UnknownDoor,
    UnknownRoom,
    UnsafeText,
)
from ttlock_bridge.access.passcode_policy import CodeRejected, CodeSpaceExhausted
from ttlock_bridge.access.time_window import (
    EmptyWindow,
    TimeInputError,
    WindowInPast,
    WindowOutOfBounds,
)
from ttlock_bridge.channels.web.auth import field

FieldErrors = dict[str, str]
GENERAL = "general"
"""The key of an error that is about the whole form (shown above it)."""
ENDS: Final = ("arrival", "departure")
_DAY: Final = re.compile(r"\d{4}-\d{2}-\d{2}")
_CLOCK: Final = re.compile(r"([01]?\d|2[0-3]):([0-5]\d)")


def local_end(day: str, clock: str, end: str, zone_name: str) -> str:
    """`2026-12-01T09:00` from the date `2026-12-01` and the time `9:00` (or `09:00`) of
    `end` (`arrival` or `departure`); the date alone when `clock` is empty (the access core
    then adds check-in or check-out). Raises `ValueError` saying, for the person at the desk,
    how to write what cannot be read (`zone_name`: the property's zone, e.g. Europe/Berlin)."""
    if not day:
        raise ValueError(f"give the {end} date")
    if not _is_day(day):
        raise ValueError(f"write the {end} date as 2026-12-01 (year-month-day)")
    if not clock:
        return day
    found = _CLOCK.fullmatch(clock)
    if found is None:
        raise ValueError(f"write the time as 15:00 (24-hour clock), in {zone_name} time")
    return f"{day}T{int(found[1]):02d}:{found[2]}"


def _is_day(text: str) -> bool:
    """Whether `text` is a calendar date written YYYY-MM-DD."""
    if _DAY.fullmatch(text) is None:
        return False
    try:
        date.fromisoformat(text)
    except ValueError:
        return False
    return True


def read_ends(form: FormData, zone_name: str, errors: FieldErrors) -> tuple[str, str]:
    """The arrival and departure as local ISO times (see `local_end`); an end that cannot be
    read is put in `errors` under its field, and "" in its place (the rest of the rules are the
    access core's)."""
    ends = []
    for end in ENDS:
        try:
            ends.append(
                local_end(field(form, f"{end}_date"), field(form, f"{end}_time"), end, zone_name)
            )
        except ValueError as error:
            errors[end] = str(error)
            ends.append("")
    return ends[0], ends[1]


def field_of(error: AccessError) -> str:
    """The form field an access error is about (`room`, `arrival`, `departure`, `name`,
    `code`), or `GENERAL`."""
    if isinstance(error, UnknownRoom | UnknownDoor):
        return "room"
    if isinstance(error, CodeRejected | CodeClash | CodeSpaceExhausted | OfflineCodeChosen):
        return "code"
    if isinstance(error, UnsafeText) or "name" in str(error).split(":")[0]:
        return "name"
    if isinstance(error, EmptyWindow | WindowInPast):
        return "departure"
    if isinstance(error, WindowOutOfBounds):
        return "arrival" if str(error).startswith("the start") else "departure"
    if isinstance(error, TimeInputError):
        return "arrival"
    return GENERAL
