"""Guest grants: create, modify, cancel and read them, with every rule checked before anything
is written. A grant is written with its placements, then reconciled at once, so the caller
learns straight away which doors hold the code and which are still pending, and why."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from ttlock_bridge.access.errors import (
    CodeClash,
    GrantClosed,
    GrantNotFound,
    InvalidInput,
    UnknownDoor,
    UnknownRoom,
)
from ttlock_bridge.access.passcode_policy import (
    ALL_KEYS,
    check_keypads,
    common_keys,
    generate_code,
    validate_code,
)
from ttlock_bridge.access.passcode_tag import new_grant_tag
from ttlock_bridge.access.reconciler import Reconciler
from ttlock_bridge.access.time_window import Window, WindowInPast, parse_instant, parse_window
from ttlock_bridge.access.transactions import Transactions
from ttlock_bridge.access.views import GrantView, grant_view
from ttlock_bridge.clock import Clock
from ttlock_bridge.cloud import TTLockClient, TTLockError
from ttlock_bridge.config import Config
from ttlock_bridge.store import Desired, Grant, GrantState, PlacementStatus
from ttlock_bridge.store.grants import DoorRef, add_grant, get_grant, list_grants
from ttlock_bridge.store.placements import add_placement, codes_held_on

log = logging.getLogger("ttlock_bridge.grants")


@dataclass(frozen=True, slots=True)
class GrantRequest:
    """A stay or any access: a room (its doors and shared doors) or explicit doors, a window in
    property-local time (dates get the check-in / check-out time), and an optional code."""

    start: str
    end: str
    room: str | None = None
    doors: Sequence[str] | None = None
    name: str | None = None
    code: str | None = None


@dataclass(frozen=True, slots=True)
class GrantChanges:
    """What to change on a grant; None keeps the current value."""

    start: str | None = None
    end: str | None = None
    name: str | None = None
    code: str | None = None


class GrantService:
    def __init__(
        self,
        config: Config,
        transactions: Transactions,
        cloud: TTLockClient,
        reconciler: Reconciler,
        clock: Clock,
    ) -> None:
        self._config = config
        self._run = transactions
        self._cloud = cloud
        self._reconciler = reconciler
        self._clock = clock
        self._zone = config.property.zone

    async def create(self, request: GrantRequest) -> GrantView:
        """Check the request, record the grant and its placements, place the code on every door."""
        doors = self._doors_of(request)
        defaults = self._config.defaults
        window = parse_window(
            request.start,
            request.end,
            zone=self._zone,
            check_in=defaults.check_in,
            check_out=defaults.check_out,
            now_ms=self._clock(),
        )
        if request.code is not None:
            validate_code(request.code, deny=defaults.deny_codes)
            check_keypads(request.code, self.keypads(doors))
        taken = await self._codes_on(doors)
        if request.code is not None:
            _refuse_clash(request.code, taken)
            code = request.code
        else:
            code = self._fresh_code(doors, taken)
        name = " ".join((request.name or request.room or _door_names(doors)).split())
        if not name:
            raise InvalidInput("a grant needs a name: give one, or a room")
        grant_id = await self._run(
            _record_grant,
            name=name,
            room=request.room,
            code=code,
            generated=request.code is None,
            window=window,
            doors=doors,
            now_ms=self._clock(),
        )
        log.info("grant %s created for %s on %d door(s)", grant_id, name, len(doors))
        await self._reconciler.reconcile_grant(grant_id)
        return await self.get(grant_id)

    async def modify(self, grant_id: int, changes: GrantChanges) -> GrantView:
        """Change dates, code or name on every door; also gives failed doors another try."""
        grant = await self._grant(grant_id)
        if grant.state is GrantState.CANCELLED:
            raise GrantClosed(f"grant {grant_id} was cancelled: create a new grant instead")
        defaults = self._config.defaults
        start_ms = (
            grant.start_ms
            if changes.start is None
            else parse_instant(changes.start, self._zone, defaults.check_in)
        )
        end_ms = (
            grant.end_ms
            if changes.end is None
            else parse_instant(changes.end, self._zone, defaults.check_out)
        )
        window = Window(start_ms, end_ms)
        if changes.end is not None and end_ms <= self._clock():
            raise WindowInPast("the new end is in the past: choose an end in the future")
        if changes.code is not None and changes.code != grant.code:
            validate_code(changes.code, deny=defaults.deny_codes)
            doors = [DoorRef(door.door, door.lock_id) for door in grant.doors]
            check_keypads(changes.code, self.keypads(doors))
            _refuse_clash(changes.code, await self._codes_on(doors))
        name = None if changes.name is None else " ".join(changes.name.split()) or None
        await self._run(
            _apply_changes,
            grant_id,
            window=window,
            code=changes.code,
            name=name,
            now_ms=self._clock(),
        )
        await self._reconciler.reconcile_grant(grant_id)
        return await self.get(grant_id)

    async def new_code(self, grant_id: int) -> GrantView:
        """Replace the grant's code with a fresh generated one (e.g. the code was disclosed),
        placed on every door like a code change; the old code is gone once each door is done.

        Raises `GrantNotFound`, `GrantClosed` for a cancelled or ended grant, and
        `CodeSpaceExhausted` when no free code can be drawn.
        """
        grant = await self._grant(grant_id)
        if grant.state is GrantState.CANCELLED or grant.end_ms <= self._clock():
            raise GrantClosed(f"grant {grant_id} is cancelled or has ended: create a new grant")
        doors = [DoorRef(door.door, door.lock_id) for door in grant.doors]
        taken = await self._codes_on(doors)
        code = self._fresh_code(doors, taken, also_avoid=grant.code)
        await self._run(_apply_new_code, grant_id, code, self._clock())
        log.info("grant %s: a new code was drawn for %d door(s)", grant_id, len(doors))
        await self._reconciler.reconcile_grant(grant_id)
        return await self.get(grant_id)

    def keypads(self, doors: Sequence[DoorRef]) -> dict[str, str]:
        """Each door's keypad keys (`[doors.<door>] keypad`), e.g. `{"room-1": "1234567"}`."""
        configured = self._config.doors
        return {
            ref.door: configured[ref.door].keypad if ref.door in configured else ALL_KEYS
            for ref in doors
        }

    def _fresh_code(
        self, doors: Sequence[DoorRef], taken: dict[str, set[str]], also_avoid: str = ""
    ) -> str:
        """A generated code enterable on every door and on none of them yet."""
        defaults = self._config.defaults
        return generate_code(
            defaults.code_length,
            avoid=set().union(*taken.values()) | {also_avoid},
            deny=defaults.deny_codes,
            keys=common_keys(self.keypads(doors).values()),
        )

    async def cancel(self, grant_id: int) -> GrantView:
        """Withdraw the grant: its passcode is deleted from every door, retried until confirmed."""
        await self._grant(grant_id)
        await self._run(_cancel, grant_id, self._clock())
        await self._reconciler.reconcile_grant(grant_id)
        return await self.get(grant_id)

    async def get(self, grant_id: int) -> GrantView:
        await self._grant(grant_id)
        [view] = await self._run(_views, [grant_id], self._zone, self._clock())
        return view

    async def find(
        self, *, room: str | None = None, include_inactive: bool = False
    ) -> list[GrantView]:
        """Grants by start time; only current ones (active, not ended) unless asked otherwise."""
        views = await self._run(_views, None, self._zone, self._clock(), room=room)
        return views if include_inactive else [view for view in views if view.state == "active"]

    async def current_for_room(self, room: str) -> GrantView | None:
        """The room's active grant that has not ended yet (the latest one, if several)."""
        current = await self.find(room=room)
        return current[-1] if current else None

    def _doors_of(self, request: GrantRequest) -> list[DoorRef]:
        if (request.room is None) == (request.doors is None):
            raise InvalidInput("give either a room or a list of doors")
        if request.room is not None:
            room = self._config.rooms.get(request.room)
            if room is None:
                known = ", ".join(sorted(self._config.rooms)) or "none configured"
                raise UnknownRoom(f"unknown room {request.room!r} (rooms: {known})")
            names: Sequence[str] = room.all_doors
        else:
            names = list(dict.fromkeys(request.doors or ()))
            if not names:
                raise InvalidInput("the list of doors is empty")
        refs = []
        for name in names:
            door = self._config.doors.get(name)
            if door is None:
                known = ", ".join(sorted(self._config.doors))
                raise UnknownDoor(f"unknown door {name!r} (doors: {known})")
            refs.append(DoorRef(name, door.lock_id))
        return refs

    async def _codes_on(self, doors: Sequence[DoorRef]) -> dict[str, set[str]]:
        """Codes already on each door: what the cloud lists, plus what our ledger placed there.

        If the cloud cannot be asked, the ledger alone is used: a clash the cloud would have
        shown is then caught when the code is placed (-3007) and handled there.
        """
        taken: dict[str, set[str]] = {}
        for ref in doors:
            codes = await self._run(codes_held_on, [ref.lock_id])
            try:
                codes |= {found.keyboard_pwd async for found in self._cloud.passcodes(ref.lock_id)}
            except TTLockError as error:
                log.warning("could not list passcodes on door %s: %s", ref.door, error)
            taken[ref.door] = codes
        return taken

    async def _grant(self, grant_id: int) -> Grant:
        grant = await self._run(get_grant, grant_id)
        if grant is None:
            raise GrantNotFound(f"no grant with id {grant_id}")
        return grant


def _refuse_clash(code: str, taken: dict[str, set[str]]) -> None:
    clashes = [door for door, codes in taken.items() if code in codes]
    if clashes:
        raise CodeClash(
            f"this code is already in use on {', '.join(clashes)}: choose another code, "
            "or leave it out to have one generated"
        )


def _door_names(doors: Sequence[DoorRef]) -> str:
    return ", ".join(ref.door for ref in doors)


def _record_grant(
    session: Session,
    *,
    name: str,
    room: str | None,
    code: str,
    generated: bool,
    window: Window,
    doors: Sequence[DoorRef],
    now_ms: int,
) -> int:
    grant = add_grant(
        session,
        tag=new_grant_tag(),
        name=name,
        room=room,
        code=code,
        code_generated=generated,
        start_ms=window.start_ms,
        end_ms=window.end_ms,
        doors=doors,
        now_ms=now_ms,
    )
    for ref in doors:
        add_placement(session, grant, door=ref.door, lock_id=ref.lock_id, now_ms=now_ms)
    return grant.id


def _apply_changes(
    session: Session,
    grant_id: int,
    *,
    window: Window,
    code: str | None,
    name: str | None,
    now_ms: int,
) -> None:
    grant = session.get_one(Grant, grant_id)
    grant.start_ms, grant.end_ms = window.start_ms, window.end_ms
    if code is not None and code != grant.code:
        grant.code, grant.code_generated = code, False
    if name is not None:
        grant.name = name
    grant.updated_at_ms = now_ms
    for placement in grant.placements:
        if placement.status in (PlacementStatus.ACTIVE, PlacementStatus.FAILED):
            placement.status = PlacementStatus.PENDING
        placement.next_attempt_at_ms = None


def _apply_new_code(session: Session, grant_id: int, code: str, now_ms: int) -> None:
    grant = session.get_one(Grant, grant_id)
    _apply_changes(
        session,
        grant_id,
        window=Window(grant.start_ms, grant.end_ms),
        code=code,
        name=None,
        now_ms=now_ms,
    )
    grant.code_generated = True


def _cancel(session: Session, grant_id: int, now_ms: int) -> None:
    grant = session.get_one(Grant, grant_id)
    grant.state = GrantState.CANCELLED
    grant.updated_at_ms = now_ms
    for placement in grant.placements:
        placement.desired = Desired.ABSENT
        if placement.status in (PlacementStatus.ACTIVE, PlacementStatus.FAILED):
            placement.status = PlacementStatus.PENDING
        placement.next_attempt_at_ms = None


def _views(
    session: Session,
    grant_ids: Sequence[int] | None,
    zone: ZoneInfo,
    now_ms: int,
    *,
    room: str | None = None,
) -> list[GrantView]:
    """Views are built inside the transaction: they read each placement's grant."""
    if grant_ids is None:
        grants = list_grants(session, room=room)
    else:
        grants = [session.get_one(Grant, grant_id) for grant_id in grant_ids]
    return [grant_view(grant, zone, now_ms) for grant in grants]
