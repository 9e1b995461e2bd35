"""Rooms by name, as the configuration defines them: one lookup, one error for every caller."""

from __future__ import annotations

from ttlock_bridge.access.errors import UnknownRoom
from ttlock_bridge.config import Config, Room


def configured_room(config: Config, name: str) -> Room:
    """The room called `name`; raises `UnknownRoom` naming the rooms there are."""
    room = config.rooms.get(name)
    if room is None:
        known = ", ".join(sorted(config.rooms)) or "none configured"
        raise UnknownRoom(f"unknown room {name!r} (rooms: {known})")
    return room


def rooms_opened_by(config: Config, door: str) -> list[str]:
    """The rooms whose guests open `door`: the rooms it belongs to and those that share it
    (a main entrance opens for every room), in configuration order."""
    return [name for name, room in config.rooms.items() if door in room.all_doors]


def rooms_owning(config: Config, door: str) -> list[str]:
    """The rooms `door` is an own door of (not those that only share it), in configuration
    order: what a lock's news on that door can change about a room."""
    return [name for name, room in config.rooms.items() if door in room.doors]
