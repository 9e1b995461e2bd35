"""Bad input shown next to the field that caused it: which form field an access error is about.

Forms send a date and a time per end of a stay (`arrival_date`, `arrival_time`,
`departure_date`, `departure_time`), joined into the local ISO time the access core reads.
"""

from __future__ import annotations

from starlette.datastructures import FormData

from ttlock_bridge.access.errors import (
    AccessError,
    CodeClash,
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
    parse_instant,
)
from ttlock_bridge.channels.web.auth import field
from ttlock_bridge.config import Config

FieldErrors = dict[str, str]
GENERAL = "general"
"""The key of an error that is about the whole form (shown above it)."""


def local_time(form: FormData, end: str) -> str:
    """`2026-12-01T15:00` from `<end>_date` and `<end>_time` (`arrival` or `departure`); the
    date alone when no time was given (the access core then adds check-in or check-out)."""
    day, clock = field(form, f"{end}_date"), field(form, f"{end}_time")
    return f"{day}T{clock}" if day and clock else day


def field_of(error: AccessError) -> str:
    """The form field an access error is about (`room`, `arrival`, `departure`, `name`,
    `code`), or `GENERAL`."""
    if isinstance(error, UnknownRoom | UnknownDoor):
        return "room"
    if isinstance(error, CodeRejected | CodeClash | CodeSpaceExhausted):
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


def read_ends(form: FormData, config: Config, errors: FieldErrors) -> tuple[str, str]:
    """The arrival and departure as local ISO times; an end that cannot be read is put in
    `errors` under its field (the rest of the rules are the access core's)."""
    ends = []
    for end, default in (
        ("arrival", config.defaults.check_in),
        ("departure", config.defaults.check_out),
    ):
        text = local_time(form, end)
        if not text:
            errors[end] = f"give the {end} date"
        else:
            try:
                parse_instant(text, config.property.zone, default)
            except TimeInputError as error:
                errors[end] = str(error)
        ends.append(text)
    return ends[0], ends[1]
