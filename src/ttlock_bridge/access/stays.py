"""Issuing by room: the one rule every channel that issues "the room's code" follows.

A panel or a front desk says "room 1, these dates": that either changes the stay the room has
for those dates, or is another guest's stay. Only a window that overlaps a current stay of the
room changes it; a window that does not (the next guest, arriving when the current one leaves)
is a new grant beside it, so the current guest keeps their code and their dates. A stay that
has begun is changed only by a window with its start (an extension or an early departure): a
window that starts later yet overlaps it could be the next guest arriving early, and handing
them the current guest's code would be the harm this rule exists to prevent, so it is refused.
Issues for one room take turns in this process; across processes (replicas, the CLI beside
`serve`) the store decides: a new stay is written only if no current stay of the room overlaps
it (`GrantService.create(room_free=True)`, under the grant write turn), and one that lost that
race decides again with the stay the other made. Two triggers at once never create two stays.
"""

from __future__ import annotations

import asyncio
from collections import defaultdict
from dataclasses import dataclass
from enum import StrEnum

from ttlock_bridge.access.errors import InvalidInput, RoomStayTaken
from ttlock_bridge.access.grants import GrantChanges, GrantRequest, GrantService
from ttlock_bridge.access.rooms import configured_room
from ttlock_bridge.access.time_window import Window, parse_window
from ttlock_bridge.access.views import GrantView
from ttlock_bridge.clock import Clock
from ttlock_bridge.config import Config

ISSUE_TRIES = 3
"""How often an issue decides again after another process made a stay for its dates."""


class StayOutcome(StrEnum):
    """What `RoomStays.issue` did."""

    NEW = "new"  # the room had no current stay: a new grant
    NEXT_STAY = "next_stay"  # the room has a stay the window does not overlap: a new grant
    CHANGED = "changed"  # the window overlaps the room's current stay: that grant was changed


class StayOverlapsSeveral(InvalidInput):
    """The window overlaps more than one current stay of the room: which to change is unclear."""


class StayAmbiguous(InvalidInput):
    """The window overlaps a stay that has begun but starts later: the next guest, or a change
    of the current one? Refused rather than guessed."""


@dataclass(frozen=True, slots=True)
class RoomIssue:
    outcome: StayOutcome
    grant: GrantView


class RoomStays:
    """Issue or change a room's stay from a window, by the overlap rule (module docstring)."""

    def __init__(self, config: Config, grants: GrantService, clock: Clock) -> None:
        self._config = config
        self._grants = grants
        self._clock = clock
        self._turns: defaultdict[str, asyncio.Lock] = defaultdict(asyncio.Lock)

    async def issue(
        self,
        room: str,
        start: str,
        end: str,
        *,
        code: str | None = None,
        name: str | None = None,
    ) -> RoomIssue:
        """Change the room's current stay that `start`-`end` overlaps, or create a new grant.

        `start` and `end` are property-local ISO text as in `GrantRequest` (a bare date gets the
        check-in / check-out time). Windows are half-open: a stay from 12 Dec 15:00 does not
        overlap one ending 12 Dec 11:00, nor one ending 12 Dec 15:00. On a change, a `code`
        equal to the stay's own code (or None) keeps it. Raises what `GrantService.create` and
        `modify` raise, `UnknownRoom`, and `StayOverlapsSeveral` when the window overlaps two
        current stays of the room; nothing is written then.
        """
        configured_room(self._config, room)
        defaults = self._config.defaults
        window = parse_window(
            start,
            end,
            zone=self._config.property.zone,
            check_in=defaults.check_in,
            check_out=defaults.check_out,
            now_ms=self._clock(),
        )
        async with self._turns[room]:
            for _ in range(ISSUE_TRIES - 1):
                try:
                    return await self._issue(room, window, start, end, code=code, name=name)
                except RoomStayTaken:
                    continue  # another process made a stay for these dates: decide again
            return await self._issue(room, window, start, end, code=code, name=name)

    async def _issue(
        self,
        room: str,
        window: Window,
        start: str,
        end: str,
        *,
        code: str | None,
        name: str | None,
    ) -> RoomIssue:
        current = await self._grants.find(room=room)
        overlapping = [stay for stay in current if _overlap(stay, window)]
        if len(overlapping) > 1:
            ids = " and ".join(str(stay.id) for stay in overlapping)
            raise StayOverlapsSeveral(
                f"the window overlaps stays {ids} of {room}: change one of them by its id"
            )
        if overlapping:
            [stay] = overlapping
            if stay.start_ms <= self._clock() and window.start_ms != stay.start_ms:
                raise StayAmbiguous(
                    f"the window overlaps stay {stay.id} of {room}, which has begun, but starts "
                    "at another time: to extend or shorten it keep its start; for the next "
                    "guest start at or after its end (or change stay "
                    f"{stay.id} by its id)"
                )
            changes = GrantChanges(
                start=start, end=end, name=name, code=None if code == stay.code else code
            )
            return RoomIssue(StayOutcome.CHANGED, await self._grants.modify(stay.id, changes))
        request = GrantRequest(start=start, end=end, room=room, name=name, code=code)
        outcome = StayOutcome.NEXT_STAY if current else StayOutcome.NEW
        return RoomIssue(outcome, await self._grants.create(request, room_free=True))


def _overlap(stay: GrantView, window: Window) -> bool:
    return stay.start_ms < window.end_ms and window.start_ms < stay.end_ms
