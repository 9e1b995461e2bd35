"""What the board and the locks page show of rooms and doors, assembled from the access core
(occupancy, grant views) and the lock state (battery, bolt, gateway)."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Final

from ttlock_bridge.access import DoorStatus, GrantView, RoomOccupancy, RoomState
from ttlock_bridge.channels.web.desk import Desk

LOW_BATTERY: Final = 20
"""Percent below which a lock's battery shows as a problem."""


class Show(StrEnum):
    """The board's filters."""

    ALL = "all"
    ARRIVALS = "arrivals"
    DEPARTURES = "departures"
    PROBLEMS = "problems"


@dataclass(frozen=True, slots=True)
class DoorFacts:
    """What a door chip tells of the lock whatever the grant: its battery (percent), bolt and
    gateway ("online", "offline", "none", None while unknown). Pages refresh these alone
    when a lock reports news (`/fragments/doors/{door}/facts`)."""

    door: str
    battery: int | None
    bolt: str | None
    gateway: str | None

    @property
    def low_battery(self) -> bool:
        return self.battery is not None and self.battery < LOW_BATTERY

    @property
    def problem(self) -> bool:
        return self.low_battery or self.gateway in ("offline", "none")


WANTED: Final = ("active", "pending", "failed")
"""Door statuses of a code the grant still wants on the door (not withdrawn)."""


@dataclass(frozen=True, slots=True)
class DoorChip:
    """One door on a card: the grant's status on it (None without a grant), why it waits or
    failed, when it is tried again (UTC ms), what a person should do, and the lock's facts.

    `kind` is the grant's kind of code on this door (`online`, `offline`; None without a
    grant); `code` its own code where the grant's doors take different codes (None where they
    share one: the grant's code says it; "" while an offline code is not issued yet). An
    offline code's window (`valid_from_ms` to `valid_until_ms`, UTC ms: whole hours) and the
    time it must first open the door by (`use_by_ms`) are None for an online code."""

    door: str
    status: str | None
    error: str | None
    guidance: str | None
    next_attempt_ms: int | None
    facts: DoorFacts
    kind: str | None = None
    code: str | None = None
    valid_from_ms: int | None = None
    valid_until_ms: int | None = None
    use_by_ms: int | None = None

    @property
    def waiting(self) -> bool:
        """The grant's code is not (yet) on this door."""
        return self.status in ("pending", "failed")

    @property
    def offline_window_matters(self) -> bool:
        """An offline code the grant still wants: its window and first-use time are the
        guest's to know (a withdrawn one's guidance says what remains)."""
        return self.kind == "offline" and self.status in WANTED

    @property
    def problem(self) -> bool:
        return self.waiting or self.facts.problem


@dataclass(frozen=True, slots=True)
class RoomCard:
    """A room on the board: its state, current and next stay, and a chip per door."""

    room: str
    state: RoomState
    current: GrantView | None
    next: GrantView | None
    doors: list[DoorChip]

    @property
    def problem(self) -> bool:
        return any(chip.problem for chip in self.doors)

    @property
    def tags(self) -> str:
        """The tags of its stays, space-separated: a keypad use naming one (on any door, the
        main entrance too) changes this card."""
        return " ".join(stay.tag for stay in (self.current, self.next) if stay is not None)

    def shown(self, show: Show) -> bool:
        if show is Show.ARRIVALS:
            return self.state is RoomState.ARRIVING
        if show is Show.DEPARTURES:
            return self.state is RoomState.LEAVING
        if show is Show.PROBLEMS:
            return self.problem
        return True


def door_facts(desk: Desk, door: str, gateways: dict[str, str | None] | None = None) -> DoorFacts:
    """The door's lock facts; `gateways` is `Locks.door_gateways()` when the caller read it
    already (a board reads it once)."""
    if gateways is None:
        gateways = desk.locks.door_gateways()
    state = desk.locks.keeper.state(desk.config.doors[door].lock_id)
    return DoorFacts(
        door=door,
        battery=state.battery,
        bolt=state.bolt.value if state.bolt else None,
        gateway=gateways.get(door),
    )


def door_chips(
    desk: Desk,
    doors: list[str],
    grant: GrantView | None,
    gateways: dict[str, str | None] | None = None,
) -> list[DoorChip]:
    """A chip per door, with the grant's status on it when a grant is given; `gateways` as
    for `door_facts`."""
    statuses: dict[str, DoorStatus] = {each.door: each for each in grant.doors} if grant else {}
    if gateways is None:
        gateways = desk.locks.door_gateways()
    own_codes = grant is not None and grant.codes_differ
    return [
        _chip(door, statuses.get(door), door_facts(desk, door, gateways), own_code=own_codes)
        for door in doors
    ]


def _chip(door: str, status: DoorStatus | None, facts: DoorFacts, *, own_code: bool) -> DoorChip:
    """The chip of `door` with the grant's `status` on it (None: no grant); its own code
    where `own_code` (the grant's doors take different codes)."""
    if status is None:
        return DoorChip(door, None, None, None, None, facts)
    offline = status.kind == "offline"
    return DoorChip(
        door=door,
        status=status.status,
        error=status.error,
        guidance=status.guidance,
        next_attempt_ms=status.next_attempt_ms,
        facts=facts,
        kind=status.kind,
        code=status.code if own_code else None,
        valid_from_ms=status.start_ms if offline else None,
        valid_until_ms=status.end_ms if offline else None,
        use_by_ms=status.use_by_ms,
    )


def room_cards(desk: Desk, rooms: list[RoomOccupancy]) -> list[RoomCard]:
    """A card per room, its chips showing the current stay's doors, else the next stay's."""
    gateways = desk.locks.door_gateways()
    return [
        RoomCard(
            room=occupancy.room,
            state=occupancy.state,
            current=occupancy.current,
            next=occupancy.next,
            doors=door_chips(
                desk,
                list(desk.config.rooms[occupancy.room].all_doors),
                occupancy.current or occupancy.next,
                gateways,
            ),
        )
        for occupancy in rooms
    ]
