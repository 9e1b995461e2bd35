"""Guest grants: create, modify, cancel and read them, with every rule checked before anything
is written. A grant is written with its placements, then reconciled at once, so the caller
learns straight away which doors hold the code and which are still pending, and why."""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from typing import Final, NamedTuple
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from ttlock_bridge.access.code_kinds import CodeKinds
from ttlock_bridge.access.errors import (
    CodeClash,
    GrantChangedMeanwhile,
    GrantClosed,
    GrantNotFound,
    IdempotencyKeyReused,
    InvalidInput,
    OfflineCodeChosen,
    OfflineCodeFixed,
    RoomStayTaken,
    UnknownDoor,
)
from ttlock_bridge.access.ledger import held_by, mark_changed, serves
from ttlock_bridge.access.news import GrantBulletin, grant_news
from ttlock_bridge.access.passcode_policy import (
    ALL_KEYS,
    check_keypads,
    common_keys,
    generate_code,
    validate_code,
)
from ttlock_bridge.access.passcode_tag import new_grant_tag
from ttlock_bridge.access.reconciler import Reconciler
from ttlock_bridge.access.rooms import configured_room
from ttlock_bridge.access.text import checked_name
from ttlock_bridge.access.time_window import (
    Window,
    check_bounds,
    checked_window,
    parse_instant,
    parse_window,
)
from ttlock_bridge.access.transactions import Transactions
from ttlock_bridge.access.views import GrantView, grant_view
from ttlock_bridge.clock import Clock
from ttlock_bridge.config import Config
from ttlock_bridge.store import Desired, Grant, GrantState, PlacementKind, PlacementStatus
from ttlock_bridge.store.grants import (
    DoorRef,
    add_grant,
    get_grant,
    list_grants,
    take_grant_write_turn,
)
from ttlock_bridge.store.idempotency import find_key, forget_keys_before, remember_key
from ttlock_bridge.store.placements import add_placement, codes_held_on

log = logging.getLogger("ttlock_bridge.grants")

IDEMPOTENCY_KEY_DAYS: Final = 7
"""How long an idempotency key is remembered: far longer than any client retries."""


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


class Cancellation(NamedTuple):
    """What `GrantService.cancel` did: the grant as it stands now, and whether this call
    cancelled it (False: it was cancelled already, and nothing changed)."""

    view: GrantView
    changed: bool


class GrantService:
    def __init__(
        self,
        config: Config,
        transactions: Transactions,
        reconciler: Reconciler,
        clock: Clock,
        bulletin: GrantBulletin,
        *,
        kinds: CodeKinds,
    ) -> None:
        self._config = config
        self._kinds = kinds
        self._run = transactions
        self._reconciler = reconciler
        self._clock = clock
        self._zone = config.property.zone
        self._bulletin = bulletin

    async def create(
        self,
        request: GrantRequest,
        *,
        idempotency_key: str | None = None,
        room_free: bool = False,
    ) -> GrantView:
        """Check the request, record the grant and its placements, place the code on every door.

        With `idempotency_key` (at most 200 characters), a request repeated with the same key
        answers the grant the first one created (as it stands now) and creates nothing; the
        same key with a different request raises `IdempotencyKeyReused`. Keys are remembered
        for `IDEMPOTENCY_KEY_DAYS` days. Raises `InvalidInput` (and its kinds) for what the
        rules refuse, `CodeClash` when the chosen code is on one of the doors. With `room_free`
        (the room-issue rule, `RoomStays`) it raises `RoomStayTaken` when a current stay of the
        room overlaps the window: checked under the grant write turn, so two processes that
        both found the room free cannot both make the stay.
        """
        key = None if idempotency_key is None else (idempotency_key, _fingerprint(request))
        if key is not None:  # a repeat answers at once, without asking the cloud again
            known = await self._run(_grant_of_key, key, self._clock())
            if known is not None:
                return await self._repeated(known)
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
        offline = {ref.door: self._kinds.at_issue(ref.lock_id) for ref in doors}
        if request.code is not None:
            if all(offline.values()):
                raise OfflineCodeChosen(
                    f"{_door_names(doors)} get offline codes, which TTLock computes for each "
                    "lock: leave the code out (docs/grants.md)"
                )
            self._check_typed_code(request.code, doors)
        name = checked_name(request.name or request.room or _door_names(doors))
        grant_id, created = await self._run(
            _record_grant,
            _NewGrant(
                name=name,
                room=request.room,
                code=request.code,
                window=window,
                doors=tuple(doors),
                offline=offline,
                room_free=room_free,
            ),
            draw=self._draw(doors),
            key=key,
            now_ms=self._clock(),
        )
        if not created:
            return await self._repeated(grant_id)
        log.info("grant %s created for %s on %d door(s)", grant_id, name, len(doors))
        await self._place(grant_id)
        return await self.get(grant_id)

    async def created_with_key(self, idempotency_key: str) -> GrantView | None:
        """The grant a create with `idempotency_key` made (whatever its request was), while
        the key is remembered; None otherwise. A caller whose create may have been cut short
        (a crash after the grant was written) finds its grant here instead of making another."""
        grant_id = await self._run(_grant_of_any_request, idempotency_key)
        return None if grant_id is None else await self.get(grant_id)

    async def _repeated(self, grant_id: int) -> GrantView:
        log.info("grant %s: create repeated with its idempotency key", grant_id)
        return await self.get(grant_id)

    async def modify(
        self, grant_id: int, changes: GrantChanges, *, expected_updated_ms: int | None = None
    ) -> GrantView:
        """Change dates, code or name on every door; also gives failed doors another try.

        Concurrent changes of one grant apply one after the other, each to what the previous
        one left. With `expected_updated_ms` (the `updated_at_ms` of the view the caller's
        changes were made on), a grant that changed since is left as it is and
        `GrantChangedMeanwhile` raised, so a change made on an old view cannot undo a newer
        one. Raises `GrantNotFound`, `GrantClosed` (cancelled), `CodeClash`, `InvalidInput`
        (and its kinds) for what the rules refuse.
        """
        defaults = self._config.defaults
        start_ms = (
            None
            if changes.start is None
            else parse_instant(changes.start, self._zone, defaults.check_in)
        )
        end_ms = (
            None
            if changes.end is None
            else parse_instant(changes.end, self._zone, defaults.check_out)
        )
        name = None if changes.name is None else checked_name(changes.name)
        grant = await self._grant(grant_id)
        if changes.code is not None and changes.code != grant.code:
            self._check_typed_code(changes.code, [DoorRef(d.door, d.lock_id) for d in grant.doors])
        changed = await self._run(
            _apply_changes,
            grant_id,
            _Changes(start_ms=start_ms, end_ms=end_ms, code=changes.code, name=name),
            zone=self._zone,
            now_ms=self._clock(),
            expected_updated_ms=expected_updated_ms,
        )
        if changed:
            await self._place(grant_id)
        return await self.get(grant_id)

    async def new_code(self, grant_id: int) -> GrantView:
        """Replace the grant's code with a fresh generated one (e.g. the code was disclosed),
        placed on every door like a code change; the old code is gone once each door is done.

        Drawn under the grant write turn, so it holds against concurrent changes. Raises
        `GrantNotFound`, `GrantClosed` for a cancelled or ended grant, and
        `CodeSpaceExhausted` when no free code can be drawn.
        """
        grant = await self._grant(grant_id)
        doors = [DoorRef(door.door, door.lock_id) for door in grant.doors]
        await self._run(
            _draw_new_code,
            grant_id,
            draw=self._draw(doors),
            zone=self._zone,
            now_ms=self._clock(),
        )
        log.info("grant %s: a new code was drawn for %d door(s)", grant_id, len(doors))
        await self._place(grant_id)
        return await self.get(grant_id)

    async def check_code(self, code: str, doors: Sequence[DoorRef]) -> None:
        """Whether a typed `code` could be issued for `doors` now, checked as `create` checks
        it: the passcode policy, each door's keypad, and no other grant's code on one of the
        doors (the ledger's). Raises `CodeRejected` (and its kinds) or `CodeClash`. It only
        reads: another grant may still take the code before it is issued."""
        self._check_typed_code(code, doors)
        _refuse_clash(code, await self._run(_codes_taken, doors))

    def _check_typed_code(self, code: str, doors: Sequence[DoorRef]) -> None:
        """The passcode policy and every door's keypad; raises `CodeRejected` (and kinds)."""
        validate_code(code, deny=self._config.defaults.deny_codes)
        check_keypads(code, self.keypads(doors))

    def keypads(self, doors: Sequence[DoorRef]) -> dict[str, str]:
        """Each door's keypad keys (`[doors.<door>] keypad`), e.g. `{"room-1": "1234567"}`."""
        configured = self._config.doors
        return {
            ref.door: configured[ref.door].keypad if ref.door in configured else ALL_KEYS
            for ref in doors
        }

    def _draw(self, doors: Sequence[DoorRef]) -> CodeDraw:
        """How to draw a code for these doors: enterable on every door's keypad."""
        defaults = self._config.defaults
        return CodeDraw(
            length=defaults.code_length,
            deny=defaults.deny_codes,
            keys=common_keys(self.keypads(doors).values()),
        )

    async def cancel(self, grant_id: int) -> Cancellation:
        """Withdraw the grant: its passcode is deleted from every door, retried until confirmed.
        Cancelling a cancelled grant changes nothing (`Cancellation.changed` is False: under
        the grant write turn, so of two cancels at once only one changed it). Raises
        `GrantNotFound`."""
        await self._grant(grant_id)
        changed = await self._run(_cancel, grant_id, self._clock())
        await self._place(grant_id)
        return Cancellation(await self.get(grant_id), changed)

    async def _place(self, grant_id: int) -> None:
        """Tell the subscribers what was just written, then move the grant's doors to it."""
        news = await self._run(grant_news, grant_id)
        if news is not None:
            await self._bulletin.tell(news)
        await self._reconciler.reconcile_grant(grant_id)

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
        """The room's stay in effect now, else its next one (a room can hold the current guest's
        stay and the next guests'); None when it has neither."""
        current = await self.find(room=room)  # by start: the earliest that has not ended
        return current[0] if current else None

    def _doors_of(self, request: GrantRequest) -> list[DoorRef]:
        if (request.room is None) == (request.doors is None):
            raise InvalidInput("give either a room or a list of doors")
        if request.room is not None:
            names: Sequence[str] = configured_room(self._config, request.room).all_doors
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

    async def _grant(self, grant_id: int) -> Grant:
        grant = await self._run(get_grant, grant_id)
        if grant is None:
            raise GrantNotFound(f"no grant with id {grant_id}")
        return grant


@dataclass(frozen=True, slots=True)
class CodeDraw:
    """How a generated code is drawn: its length, the codes the policy denies, and the keys
    every door of the grant has."""

    length: int
    deny: Collection[str]
    keys: str

    def code(self, avoid: Collection[str]) -> str:
        return generate_code(self.length, avoid=avoid, deny=self.deny, keys=self.keys)


@dataclass(frozen=True, slots=True)
class _NewGrant:
    """A checked create request; `code` None means draw one."""

    name: str
    room: str | None
    code: str | None
    window: Window
    doors: tuple[DoorRef, ...]
    offline: dict[str, str | None]
    """Why each door gets an offline code (None: the grant's code, online)."""
    room_free: bool = False
    """Refuse (`RoomStayTaken`) when a current stay of the room overlaps the window."""


@dataclass(frozen=True, slots=True)
class _Changes:
    """Checked changes of one grant; None keeps the current value."""

    start_ms: int | None
    end_ms: int | None
    code: str | None
    name: str | None


def _fingerprint(request: GrantRequest) -> str:
    """SHA-256 of the request's fields: what makes a repeated request the same request."""
    fields = {
        "start": request.start,
        "end": request.end,
        "room": request.room,
        "doors": None if request.doors is None else list(request.doors),
        "name": request.name,
        "code": request.code,
    }
    return hashlib.sha256(json.dumps(fields, sort_keys=True).encode()).hexdigest()


def _codes_taken(
    session: Session, doors: Sequence[DoorRef], *, except_grant: int | None = None
) -> dict[str, set[str]]:
    """Codes the ledger holds (or means to place) on each door now.

    The locks' own lists are not read here (quota: a 2-door stay costs 2 calls): a code that
    someone else put on a lock answers -3007 when placed, and the reconciler draws a generated
    code anew or reports a typed one (reference §8.2)."""
    return {
        ref.door: codes_held_on(session, [ref.lock_id], except_grant=except_grant) for ref in doors
    }


def _refuse_overlapping_stay(session: Session, room: str, window: Window, now_ms: int) -> None:
    for stay in list_grants(session, state=GrantState.ACTIVE, room=room, ends_after_ms=now_ms):
        if stay.start_ms < window.end_ms and window.start_ms < stay.end_ms:
            raise RoomStayTaken(room, stay.id)


def _offline_doors(grant: Grant) -> list[str]:
    return [
        placement.door
        for placement in grant.placements
        if placement.kind is PlacementKind.OFFLINE and placement.desired is Desired.PRESENT
    ]


def _refuse_new_code_for_offline_doors_only(grant: Grant) -> None:
    """A grant whose doors all hold offline codes has no code of its own to change: TTLock
    computed each door's (reference §8.1). Refuse, and say what can be done instead."""
    offline = _offline_doors(grant)
    if offline and len(offline) == len(grant.placements):
        raise OfflineCodeChosen(
            f"{', '.join(offline)} hold offline codes, which TTLock computes and which cannot "
            "be changed: to give the guest other codes, cancel this grant and issue a new one "
            "(the old codes stay valid until their end unless deleted through the lock in the "
            "TTLock app)"
        )


def _refuse_moving_offline_codes(grant: Grant, changes: _Changes) -> None:
    """An offline code's window is computed into the code itself (reference §8.1): it cannot
    move. Refuse, and say what can be done instead."""
    moved = (changes.start_ms not in (None, grant.start_ms)) or (
        changes.end_ms not in (None, grant.end_ms)
    )
    offline = _offline_doors(grant)
    if moved and offline:
        raise OfflineCodeFixed(
            f"{', '.join(offline)} hold an offline code, whose dates cannot move: cancel this "
            "grant and issue a new one for the new dates (the old offline code stays valid "
            "until its end unless it is deleted through the lock in the TTLock app)"
        )


def _refuse_clash(code: str, taken: dict[str, set[str]]) -> None:
    clashes = [door for door, codes in taken.items() if code in codes]
    if clashes:
        raise CodeClash(
            f"this code is already in use on {', '.join(clashes)}: choose another code, "
            "or leave it out to have one generated"
        )


def _door_names(doors: Sequence[DoorRef]) -> str:
    return ", ".join(ref.door for ref in doors)


def _grant_of_key(session: Session, key: tuple[str, str], now_ms: int) -> int | None:
    """The grant a (key, request fingerprint) created, if the key is known; the key with
    another request raises `IdempotencyKeyReused`. Forgets keys older than their lifetime."""
    forget_keys_before(session, now_ms - IDEMPOTENCY_KEY_DAYS * 86_400_000)
    known = find_key(session, key[0])
    if known is None:
        return None
    if known.fingerprint != key[1]:
        raise IdempotencyKeyReused(
            "this Idempotency-Key was already used with a different request: "
            "send a new key for a new request, or repeat the first request exactly"
        )
    return known.grant_id


def _grant_of_any_request(session: Session, key: str) -> int | None:
    known = find_key(session, key)
    return None if known is None else known.grant_id


def _record_grant(
    session: Session,
    new: _NewGrant,
    *,
    draw: CodeDraw,
    key: tuple[str, str] | None,
    now_ms: int,
) -> tuple[int, bool]:
    """Under the grant write turn: answer a known idempotency key, check the code is free on
    every door, record the grant and its placements. Returns the grant id and whether it is
    new."""
    take_grant_write_turn(session)
    if key is not None:
        known = _grant_of_key(session, key, now_ms)
        if known is not None:
            return known, False
    if new.room_free and new.room is not None:
        _refuse_overlapping_stay(session, new.room, new.window, now_ms)
    taken = _codes_taken(session, new.doors)
    if new.code is not None:
        _refuse_clash(new.code, taken)
        code = new.code
    else:
        code = draw.code(avoid=set().union(*taken.values()))
    grant = add_grant(
        session,
        tag=new_grant_tag(),
        name=new.name,
        room=new.room,
        code=code,
        code_generated=new.code is None,
        start_ms=new.window.start_ms,
        end_ms=new.window.end_ms,
        doors=new.doors,
        now_ms=now_ms,
    )
    for ref in new.doors:
        add_placement(
            session,
            grant,
            door=ref.door,
            lock_id=ref.lock_id,
            now_ms=now_ms,
            offline_reason=new.offline.get(ref.door),
        )
    if key is not None:
        remember_key(session, key[0], fingerprint=key[1], grant_id=grant.id, now_ms=now_ms)
    return grant.id, True


def _apply_changes(
    session: Session,
    grant_id: int,
    changes: _Changes,
    *,
    zone: ZoneInfo,
    now_ms: int,
    expected_updated_ms: int | None = None,
) -> bool:
    """Under the grant write turn, on the grant as it is now: check and apply the changes
    (none when the grant's `updated_at_ms` is no longer `expected_updated_ms`, if given).

    A placement is sent to the lock again only if what its lock should hold now differs from
    what the cloud confirmed (a failed one is retried); a change that changes nothing leaves
    the ledger as it was. A stay whose code cleanup removed gets it back when its end moves
    into the future. Returns whether any placement has work to do.
    """
    take_grant_write_turn(session)
    grant = session.get_one(Grant, grant_id)
    if grant.state is GrantState.CANCELLED:
        raise GrantClosed(f"grant {grant_id} was cancelled: create a new grant instead")
    if expected_updated_ms is not None and grant.updated_at_ms != expected_updated_ms:
        raise GrantChangedMeanwhile(grant_id, grant.updated_at_ms)
    before = (grant.start_ms, grant.end_ms, grant.code, grant.name)
    if changes.start_ms is not None or changes.end_ms is not None:
        _refuse_moving_offline_codes(grant, changes)
        window = checked_window(
            grant.start_ms if changes.start_ms is None else changes.start_ms,
            grant.end_ms if changes.end_ms is None else changes.end_ms,
            zone,
        )
        check_bounds(window, now_ms, zone, new_start=changes.start_ms is not None)
        grant.start_ms, grant.end_ms = window.start_ms, window.end_ms
    if changes.code is not None and changes.code != grant.code:
        _refuse_new_code_for_offline_doors_only(grant)
        doors = [DoorRef(door.door, door.lock_id) for door in grant.doors]
        taken = _codes_taken(session, doors, except_grant=grant_id)
        _refuse_clash(changes.code, taken)
        grant.code, grant.code_generated = changes.code, False
    if changes.name is not None:
        grant.name = changes.name
    if (grant.start_ms, grant.end_ms, grant.code, grant.name) != before:
        mark_changed(grant, now_ms)
    work = False
    for placement in grant.placements:
        if placement.desired is Desired.ABSENT and grant.end_ms > now_ms:
            # cleanup removed the code of a stay that had ended; a new end brings it back
            placement.desired = Desired.PRESENT
            if placement.status is PlacementStatus.DELETED:
                placement.status = PlacementStatus.PENDING
        if placement.status in (PlacementStatus.ACTIVE, PlacementStatus.FAILED):
            held = held_by(placement)
            done = held is not None and serves(placement, held, zone)
            placement.status = PlacementStatus.ACTIVE if done else PlacementStatus.PENDING
        if (
            placement.status is not PlacementStatus.ACTIVE
            and placement.status is not PlacementStatus.DELETED
        ):
            placement.next_attempt_at_ms = None
            work = True
    return work


def _draw_new_code(
    session: Session,
    grant_id: int,
    *,
    draw: CodeDraw,
    zone: ZoneInfo,
    now_ms: int,
) -> None:
    """Under the grant write turn: a code free on every door and not the current one."""
    take_grant_write_turn(session)
    grant = session.get_one(Grant, grant_id)
    if grant.state is GrantState.CANCELLED or grant.end_ms <= now_ms:
        raise GrantClosed(f"grant {grant_id} is cancelled or has ended: create a new grant")
    _refuse_new_code_for_offline_doors_only(grant)
    doors = [DoorRef(door.door, door.lock_id) for door in grant.doors]
    taken = _codes_taken(session, doors, except_grant=grant_id)
    code = draw.code(avoid=set().union(*taken.values()) | {grant.code})
    changes = _Changes(start_ms=None, end_ms=None, code=code, name=None)
    _apply_changes(session, grant_id, changes, zone=zone, now_ms=now_ms)
    grant.code_generated = True


def _cancel(session: Session, grant_id: int, now_ms: int) -> bool:
    """Under the grant write turn: cancel the grant; whether it was not cancelled before."""
    take_grant_write_turn(session)
    grant = session.get_one(Grant, grant_id)
    if grant.state is GrantState.CANCELLED:
        return False
    grant.state = GrantState.CANCELLED
    mark_changed(grant, now_ms)
    for placement in grant.placements:
        placement.desired = Desired.ABSENT
        if placement.status in (PlacementStatus.ACTIVE, PlacementStatus.FAILED):
            placement.status = PlacementStatus.PENDING
        placement.next_attempt_at_ms = None
    return True


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
