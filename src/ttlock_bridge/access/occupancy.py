"""Who is in each room: vacant, arriving, in house or leaving, with the current and next stay.

The front desk's board and the Home Assistant room sensors show the same words, decided here
once. A room's stays are its grants that are neither cancelled nor ended. The current stay is
the one whose window holds now; the guest is *in house* once the stay's code opened one of its
doors (a keypad record naming the grant's tag: TTLock puts the passcode's name in a record's
`username`, reference §13 "lockRecord/list" and §16 callback records), and *arriving* before.
`room_state` is the pure rule; `Occupancy` reads the store for it, and, for a decision that must
not rest on callbacks alone, the locks' own records (`used_on_locks`).
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable
from dataclasses import dataclass
from enum import StrEnum
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from ttlock_bridge.access.passcode_tag import TAG_MARKER, parse_tag
from ttlock_bridge.access.rooms import configured_room
from ttlock_bridge.access.time_window import Window, from_utc_ms
from ttlock_bridge.access.transactions import Transactions
from ttlock_bridge.access.views import GrantView, grant_view
from ttlock_bridge.clock import Clock
from ttlock_bridge.cloud import LockRecord, TTLockClient
from ttlock_bridge.config import Config
from ttlock_bridge.locks.callback import UnreadableCallback, listed_record
from ttlock_bridge.locks.intake import store_record
from ttlock_bridge.store import Event, EventSource, Grant, GrantState
from ttlock_bridge.store.events import uses_naming
from ttlock_bridge.store.grants import list_grants

USE_CLOCK_SLACK_MS = 24 * 3_600_000
"""How far before a stay's start a use is still looked for: a lock's clock can be wrong."""
RECORDS_PAGE = 100
"""Lock records read per call when the locks' own records are asked (TTLock's page limit)."""


class RoomState(StrEnum):
    """What the desk and Home Assistant call a room right now."""

    VACANT = "vacant"  # no stay now and none starting today
    ARRIVING = "arriving"  # a stay starts today, or the current guest has not used the code
    IN_HOUSE = "in_house"  # the current guest's code opened one of the stay's doors
    LEAVING = "leaving"  # the current stay ends today


@dataclass(frozen=True, slots=True)
class RoomOccupancy:
    """One room: its state, the current and the next stay (full views: callers decide what
    to mask), and when the current stay's code was first used (UTC epoch ms, None if not)."""

    room: str
    state: RoomState
    current: GrantView | None
    next: GrantView | None
    first_use_ms: int | None


def room_state(
    current: Window | None, next_start_ms: int | None, used: bool, now_ms: int, zone: ZoneInfo
) -> RoomState:
    """The rule, with days counted in the property's zone: a current stay ending today is
    LEAVING, else IN_HOUSE once `used`, else ARRIVING; without one, a stay starting today is
    ARRIVING, and the room is otherwise VACANT."""
    today = from_utc_ms(now_ms, zone).date()
    if current is not None:
        if from_utc_ms(current.end_ms, zone).date() == today:
            return RoomState.LEAVING
        return RoomState.IN_HOUSE if used else RoomState.ARRIVING
    if next_start_ms is not None and from_utc_ms(next_start_ms, zone).date() == today:
        return RoomState.ARRIVING
    return RoomState.VACANT


def first_uses(grants: Iterable[Grant], uses: Iterable[Event]) -> dict[int, int]:
    """grant id -> when its code first opened one of its doors (UTC epoch ms, the cloud's date
    when known, else the lock's), from successful records whose `username` carries its tag."""
    doors_by_tag = {
        grant.tag: (grant.id, {door.lock_id for door in grant.doors}) for grant in grants
    }
    first: dict[int, int] = {}
    for event in uses:
        grant_id, lock_ids = doors_by_tag.get(parse_tag(event.username) or "", (None, set()))
        if grant_id is None or event.lock_id not in lock_ids:
            continue
        at_ms = event.server_date_ms if event.server_date_ms is not None else event.lock_date_ms
        first[grant_id] = min(at_ms, first.get(grant_id, at_ms))
    return first


@dataclass(frozen=True, slots=True)
class DoorRecords:
    """What the doors' own records say of some grants: whose code opened one of their doors
    (`used`), and for which none was found while a door's gateway is offline (`unsure`: that
    door's latest records may not have reached TTLock yet)."""

    used: frozenset[int]
    unsure: frozenset[int]


class Occupancy:
    """The rooms of the configuration, read from the store in one transaction."""

    def __init__(
        self,
        config: Config,
        transactions: Transactions,
        cloud: TTLockClient,
        clock: Clock,
        reachable: Callable[[int], bool],
    ) -> None:
        """`reachable` says whether a lock's gateway may be reaching it now (by lock id)."""
        self._config = config
        self._run = transactions
        self._cloud = cloud
        self._clock = clock
        self._reachable = reachable

    async def rooms(self) -> list[RoomOccupancy]:
        """Every configured room, in the configuration's order."""
        return await self._run(self._read, None, self._clock())

    async def first_uses_of(self, grant_ids: Collection[int]) -> dict[int, int]:
        """grant id -> when its code first opened one of its doors (UTC epoch ms), for those
        of `grant_ids` whose code was used: "the guest is in" for a channel that must not
        take a stay away from a guest in the house."""
        if not grant_ids:
            return {}
        return await self._run(_first_uses_of, list(grant_ids))

    async def used_on_locks(self, grant_ids: Collection[int]) -> DoorRecords:
        """Whether the code of each of `grant_ids` opened one of its doors, by the doors' own
        records read from TTLock now (reference §13.1 `lockRecord/list`, newest first, from a
        day before the stay's start): callbacks can be lost or never configured, so a decision
        that takes a stay away must not rest on the received ones alone. A use found is stored
        as an event (the next decision needs no call). One call per door (more only on a door
        with over `RECORDS_PAGE` records since then); a door's reading stops at the first use.
        Raises `TTLockError` (or `TransportError`) when a read fails: the caller cannot tell,
        and must not act as if the guest were out.
        """
        doors = await self._run(_tags_and_doors, list(grant_ids))
        used: set[int] = set()
        unsure: set[int] = set()
        for grant_id, (tag, since_ms, lock_ids) in doors.items():
            for lock_id in lock_ids:
                found = await self._use_on(lock_id, tag, since_ms)
                if found is not None:
                    await self._run(_remember_use, found)
                    used.add(grant_id)
                    break
            else:
                if not all(self._reachable(lock_id) for lock_id in lock_ids):
                    unsure.add(grant_id)
        return DoorRecords(frozenset(used), frozenset(unsure))

    async def _use_on(self, lock_id: int, tag: str, since_ms: int) -> LockRecord | None:
        records = self._cloud.records(lock_id, start_ms=since_ms, page_size=RECORDS_PAGE)
        async for record in records:
            if record.success and parse_tag(record.username) == tag:
                return record
        return None

    async def room(self, room: str) -> RoomOccupancy:
        """One room; raises `UnknownRoom` for a name the configuration does not have."""
        configured_room(self._config, room)
        [occupancy] = await self._run(self._read, room, self._clock())
        return occupancy

    def _read(self, session: Session, only: str | None, now_ms: int) -> list[RoomOccupancy]:
        """Room `only`, or every configured room when None, from the stays not yet ended."""
        zone = self._config.property.zone
        rooms = [only] if only is not None else list(self._config.rooms)
        stays: dict[str, list[Grant]] = {room: [] for room in rooms}
        for grant in list_grants(session, state=GrantState.ACTIVE, room=only, ends_after_ms=now_ms):
            if grant.room in stays:
                stays[grant.room].append(grant)
        current = {
            room: next((g for g in grants if g.start_ms <= now_ms), None)
            for room, grants in stays.items()
        }
        started = [grant for grant in current.values() if grant is not None]
        uses: dict[int, int] = {}
        if started:
            since_ms = min(g.start_ms for g in started) - USE_CLOCK_SLACK_MS
            uses = first_uses(started, uses_naming(session, TAG_MARKER, since_ms))
        occupancies = []
        for room in rooms:
            now_stay = current[room]
            coming = next((g for g in stays[room] if g.start_ms > now_ms), None)
            first_use_ms = uses.get(now_stay.id) if now_stay is not None else None
            occupancies.append(
                RoomOccupancy(
                    room=room,
                    state=room_state(
                        Window(now_stay.start_ms, now_stay.end_ms) if now_stay else None,
                        coming.start_ms if coming else None,
                        first_use_ms is not None,
                        now_ms,
                        zone,
                    ),
                    current=grant_view(now_stay, zone, now_ms) if now_stay else None,
                    next=grant_view(coming, zone, now_ms) if coming else None,
                    first_use_ms=first_use_ms,
                )
            )
        return occupancies


def _remember_use(session: Session, found: LockRecord) -> None:
    """Store a use read from the record list (as a callback would have, had it arrived)."""
    try:
        store_record(session, listed_record(found), EventSource.POLL)
    except UnreadableCallback:
        return  # a record without its dates: it still counted as a use, it is just not kept


def _tags_and_doors(
    session: Session, grant_ids: list[int]
) -> dict[int, tuple[str, int, list[int]]]:
    """grant id -> (its tag, the time from which uses count, its doors' lock ids)."""
    return {
        grant.id: (
            grant.tag,
            grant.start_ms - USE_CLOCK_SLACK_MS,
            [door.lock_id for door in grant.doors],
        )
        for grant_id in grant_ids
        if (grant := session.get(Grant, grant_id))
    }


def _first_uses_of(session: Session, grant_ids: list[int]) -> dict[int, int]:
    grants = [grant for grant_id in grant_ids if (grant := session.get(Grant, grant_id))]
    if not grants:
        return {}
    since_ms = min(grant.start_ms for grant in grants) - USE_CLOCK_SLACK_MS
    return first_uses(grants, uses_naming(session, TAG_MARKER, since_ms))
