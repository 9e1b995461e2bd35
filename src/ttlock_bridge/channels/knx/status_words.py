"""The short fixed words the bridge writes to a room block's status object (+9).

A touch panel shows at most 14 characters, so each outcome has one word, chosen from the
exception's class or the doors' status, never from message text. docs/logicmachine.md has the
table for installers; keep the two in step.
"""

from __future__ import annotations

from ttlock_bridge.access import GrantView, StayOutcome
from ttlock_bridge.access.errors import (
    AccessError,
    CodeClash,
    InvalidInput,
    OfflineCodeChosen,
    OfflineCodeFixed,
)
from ttlock_bridge.access.passcode_policy import CodeRejected
from ttlock_bridge.access.time_window import EmptyWindow, UnreadableTime, WindowInPast
from ttlock_bridge.cloud import AuthError, GatewayError, TTLockError
from ttlock_bridge.cloud.errors import error_for

BUSY = "BUSY"
NEW_CODE = "NEW CODE"
OK_CHANGED = "OK CHANGED"
OK_NEXT_STAY = "OK NEXT STAY"
OK_STD_TIMES = "OK STD TIMES"
OK_NEXT_STD = "OK NEXT STD"
OK_CHANGED_STD = "OK CHG STD"
ERR_NO_DATES = "ERR NO DATES"
ERR_DATES = "ERR DATES"
ERR_PAST = "ERR PAST"
ERR_CODE = "ERR CODE"
ERR_CLASH = "ERR CLASH"
ERR_OFFLINE = "ERR OFFLINE"
ERR_INPUT = "ERR INPUT"
ERR_GATEWAY = "ERR GATEWAY"
ERR_AUTH = "ERR AUTH"
ERR_CLOUD = "ERR CLOUD"
ERR_BRIDGE = "ERR BRIDGE"

# Most specific first: the first class the error is an instance of gives its word.
_WORD_FOR_ERROR: tuple[tuple[type[Exception], str], ...] = (
    (WindowInPast, ERR_PAST),
    (EmptyWindow, ERR_DATES),
    (UnreadableTime, ERR_DATES),
    (CodeRejected, ERR_CODE),
    (OfflineCodeChosen, ERR_CODE),
    (CodeClash, ERR_CLASH),
    (OfflineCodeFixed, ERR_OFFLINE),
    (InvalidInput, ERR_INPUT),
    (AuthError, ERR_AUTH),
    (GatewayError, ERR_GATEWAY),
    (TTLockError, ERR_CLOUD),
    (AccessError, ERR_CLOUD),
)


def for_error(error: Exception) -> str:
    """The word for a trigger that raised: bad input, a cloud refusal, or our own bug."""
    for kind, word in _WORD_FOR_ERROR:
        if isinstance(error, kind):
            return word
    return ERR_BRIDGE


def for_grant(
    view: GrantView,
    outcome: StayOutcome = StayOutcome.NEW,
    *,
    defaulted_times: bool = False,
) -> str:
    """The failed door's reason, `PENDING 1/2` while some doors retry, or, once every door
    holds the code, which `OK` it is: `OK NEXT STAY` (a new grant beside the room's current
    stay), `OK CHANGED` (the room's current stay was changed), else `OK 2 DOORS`; when a time
    object never answered and the check-in / check-out default was used, `OK NEXT STD`,
    `OK CHG STD` or `OK STD TIMES` say so without hiding which of the three it was."""
    doors = view.doors
    failed = [door for door in doors if door.status == "failed"]
    if failed:
        errcode = failed[0].errcode
        return ERR_CLOUD if errcode is None else for_error(error_for(errcode, ""))
    active = sum(door.status == "active" for door in doors)
    if active < len(doors):
        return f"PENDING {active}/{len(doors)}"
    if outcome is StayOutcome.NEXT_STAY:
        return OK_NEXT_STD if defaulted_times else OK_NEXT_STAY
    if outcome is StayOutcome.CHANGED:
        return OK_CHANGED_STD if defaulted_times else OK_CHANGED
    if defaulted_times:
        return OK_STD_TIMES
    return f"OK {active} DOOR" if active == 1 else f"OK {active} DOORS"
