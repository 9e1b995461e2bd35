"""A room block as a pure state machine: the values seen on the bus in, a request or a status out.

No bus and no access core here: the channel feeds in what it saw and carries out what comes back,
so every rule of the LogicMachine forum layout is testable on its own.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import Enum

from ttlock_bridge.access import DoorStatus, GrantView, RoomIssue
from ttlock_bridge.channels.knx import status_words
from ttlock_bridge.channels.knx.dpt import TEXT_LENGTH, Dpt, Value


class BlockObject(Enum):
    """The objects of a room block, named as in the `[knx.rooms.<room>.offsets]` table."""

    TRIGGER = "trigger"
    CODE = "code"
    NAME = "name"
    FROM_DATE = "from_date"
    FROM_TIME = "from_time"
    TO_DATE = "to_date"
    TO_TIME = "to_time"
    GRANT_ID = "grant_id"
    STATUS = "status"

    @property
    def dpt(self) -> Dpt:
        return _DPT[self]


_DPT = {
    BlockObject.TRIGGER: Dpt.SWITCH,
    BlockObject.CODE: Dpt.TEXT,
    BlockObject.NAME: Dpt.TEXT,
    BlockObject.FROM_DATE: Dpt.DATE,
    BlockObject.FROM_TIME: Dpt.TIME,
    BlockObject.TO_DATE: Dpt.DATE,
    BlockObject.TO_TIME: Dpt.TIME,
    BlockObject.GRANT_ID: Dpt.COUNT,
    BlockObject.STATUS: Dpt.TEXT,
}

INPUTS = (
    BlockObject.CODE,
    BlockObject.FROM_DATE,
    BlockObject.FROM_TIME,
    BlockObject.TO_DATE,
    BlockObject.TO_TIME,
)
"""What the panel sets before pressing the trigger; read from the bus when not seen yet."""

OPTIONAL_INPUTS = (BlockObject.FROM_TIME, BlockObject.TO_TIME)
"""Inputs a block may lack: a site without time objects uses the check-in / check-out times."""


@dataclass(frozen=True, slots=True)
class IssueRequest:
    """What trigger 1 asks for: a window in property-local ISO text and the code, if any.

    `defaulted` names the time objects whose value the panel never gave, so the window got the
    property's check-in / check-out time for them (say so: a default is never silent).
    """

    start: str
    end: str
    code: str | None
    defaulted: tuple[BlockObject, ...] = ()


@dataclass(slots=True)
class RoomBlock:
    """One room's block: its addresses, the last value seen on each object, the optional
    objects that never answered a read (`absent`), and the code the bridge last issued into
    the code object (`issued_code`: the current guest's, not a code the panel typed)."""

    room: str
    addresses: Mapping[BlockObject, str]
    seen: dict[BlockObject, Value] = field(default_factory=dict)
    absent: set[BlockObject] = field(default_factory=set)
    issued_code: str | None = None

    def missing_inputs(self) -> list[BlockObject]:
        """Inputs neither seen nor known to be absent: what a trigger must read first."""
        return [item for item in INPUTS if item not in self.seen and item not in self.absent]

    def saw(self, item: BlockObject, value: Value, *, panel_wrote: bool) -> None:
        """A value from the bus; a code the panel writes is its own, no longer the issued one."""
        self.seen[item] = value
        self.absent.discard(item)
        if item is BlockObject.CODE and panel_wrote:
            self.issued_code = None

    def mark_unanswered_absent(self) -> list[BlockObject]:
        """After a read timed out: optional objects still unseen are absent (they may not
        exist on this site); returns them."""
        unanswered = [item for item in OPTIONAL_INPUTS if item not in self.seen]
        self.absent.update(unanswered)
        return unanswered

    def issue_request(self) -> IssueRequest | str:
        """The request trigger 1 makes from the values seen, or the status word refusing it.

        A date without its time object gets the check-in / check-out time from the config, and
        the request says so (`defaulted`). The code the bridge itself issued into the code
        object is not a typed code: it asks for no code (keep it on a change, a fresh one for
        another stay).
        """
        start = _local_iso(
            self.seen.get(BlockObject.FROM_DATE), self.seen.get(BlockObject.FROM_TIME)
        )
        end = _local_iso(self.seen.get(BlockObject.TO_DATE), self.seen.get(BlockObject.TO_TIME))
        if start is None or end is None:
            return status_words.ERR_NO_DATES
        code = self.seen.get(BlockObject.CODE)
        text = code.strip() if isinstance(code, str) else ""
        if text == self.issued_code:
            text = ""
        defaulted = tuple(
            item for item in OPTIONAL_INPUTS if not isinstance(self.seen.get(item), datetime.time)
        )
        return IssueRequest(start=start, end=end, code=text or None, defaulted=defaulted)

    def writeback(self, issue: RoomIssue, *, defaulted: bool = False) -> dict[BlockObject, Value]:
        """What the panel shows after trigger 1, in writing order (status last); the code
        written is remembered as the bridge's own (`issued_code`).

        The code object holds the room's own door's code. Where another door takes a different
        code (an offline code, docs/logicmachine.md "Two codes"), the name object shows that
        door's code (`panel_other_code`) instead of the stay's name: the desk reads both codes
        off the panel."""
        view = issue.grant
        self.issued_code = view.code
        other = other_code(view)
        return {
            BlockObject.CODE: view.code,
            BlockObject.NAME: (
                panel_name(self.room, view.start_local, view.end_local)
                if other is None
                else panel_other_code(other.door, other.code)
            ),
            BlockObject.GRANT_ID: view.id,
            BlockObject.STATUS: status_words.for_grant(
                view, issue.outcome, defaulted_times=defaulted
            ),
        }


def _local_iso(day: Value | None, clock: Value | None) -> str | None:
    if not isinstance(day, datetime.date):
        return None
    if not isinstance(clock, datetime.time):
        return day.isoformat()
    return f"{day.isoformat()}T{clock.isoformat(timespec='minutes')}"


_TRAILING_NUMBER = re.compile(r"(\d+)$")


def panel_name(room: str, start_local: str, end_local: str) -> str:
    """`room-12`, `2026-11-23 15:00`, `2026-11-25 11:00` -> `R12 2311-2511` (at most 14)."""
    days = f"{_day_month(start_local)}-{_day_month(end_local)}"
    number = _TRAILING_NUMBER.search(room)
    label = f"R{number[1]}" if number else room
    return f"{label[: TEXT_LENGTH - len(days) - 1]} {days}"


def other_code(view: GrantView) -> DoorStatus | None:
    """The first door whose code is not the one the code object shows (`view.code`, the room's
    own door's): the main entrance with an offline code of its own, or the entrance holding
    the grant's code when the room's door is offline. None when every door takes one code."""
    if not view.codes_differ:
        return None
    return next((door for door in view.doors if door.code != view.code), None)


_WORD_BREAK = re.compile(r"[-_]")
OTHER_CODE_PENDING = "PENDING"
"""What the name object shows in place of a door's own code that is not issued yet."""


def panel_other_code(door: str, code: str) -> str:
    """`main-entrance`, `4830215` -> `MAIN 4830215`: the first word of the door's name, as much
    of it as fits beside the code in 14 characters, then the code (`PENDING` while an offline
    code is not issued yet)."""
    shown = code or OTHER_CODE_PENDING
    first_word = _WORD_BREAK.split(door, maxsplit=1)[0]
    label = first_word.upper()[: max(TEXT_LENGTH - len(shown) - 1, 0)]
    return f"{label} {shown}" if label else shown


def _day_month(local: str) -> str:
    """`2026-11-23 15:00` -> `2311`."""
    return local[8:10] + local[5:7]
