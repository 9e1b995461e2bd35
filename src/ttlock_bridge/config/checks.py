"""Rules that relate sections of the file to each other, run once each section is well formed."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from ttlock_bridge.config.bookings import BookingSettings, bookings_cross_check
from ttlock_bridge.config.knx import knx_cross_check
from ttlock_bridge.config.models import MIN_KEYS, ConfigFile
from ttlock_bridge.config.mqtt import mqtt_cross_check
from ttlock_bridge.config.problems import Problem


def cross_check(
    raw: ConfigFile, file: Path, bookings: Mapping[str, BookingSettings] | None = None
) -> list[Problem]:
    """Every inconsistency between doors and rooms, in file order; `bookings` are the
    `[bookings]` sections with their feeds resolved (`resolve_feeds`)."""
    return [
        *_shared_lock_ids(raw, file),
        *_room_door_references(raw, file),
        *_room_keypads(raw, file),
        *(knx_cross_check(raw.knx, raw.rooms, raw.doors, file) if raw.knx else []),
        *(mqtt_cross_check(raw.mqtt, raw.doors, file) if raw.mqtt else []),
        *bookings_cross_check(raw.bookings if bookings is None else bookings, raw.rooms, file),
    ]


def _shared_lock_ids(raw: ConfigFile, file: Path) -> list[Problem]:
    first_door_of_lock: dict[int, str] = {}
    problems = []
    for door_name, door in raw.doors.items():
        owner = first_door_of_lock.setdefault(door.lock_id, door_name)
        if owner != door_name:
            problems.append(
                Problem(
                    file,
                    f"doors.{door_name}.lock_id",
                    f"lock {door.lock_id} is already door '{owner}': a lock can be configured "
                    "as one door only; remove one of them or fix the lock_id",
                    door.lock_id,
                )
            )
    return problems


def _room_door_references(raw: ConfigFile, file: Path) -> list[Problem]:
    problems = []
    for room_name, room in raw.rooms.items():
        seen: set[str] = set()
        for field, names in (("doors", room.doors), ("shared_doors", room.shared_doors)):
            for index, door_name in enumerate(names):
                key = f"rooms.{room_name}.{field}[{index}]"
                if door_name not in raw.doors:
                    problems.append(
                        Problem(
                            file,
                            key,
                            f"unknown door '{door_name}': define [doors.{door_name}] "
                            "or fix the name",
                            door_name,
                        )
                    )
                elif door_name in seen:
                    problems.append(
                        Problem(
                            file,
                            key,
                            f"door '{door_name}' is listed twice for room '{room_name}': "
                            "list it once",
                            door_name,
                        )
                    )
                seen.add(door_name)
    return problems


MIN_CODES = 10_000
"""A room's codes must come from at least as many possibilities as a 4-digit code on a full
keypad: fewer can be guessed at the door in minutes."""


def _room_keypads(raw: ConfigFile, file: Path) -> list[Problem]:
    """Every door of a room shares enough keys for a code that is hard to guess."""
    problems = []
    length = raw.defaults.code_length
    for room_name, room in raw.rooms.items():
        doors = [raw.doors[name] for name in room.all_doors if name in raw.doors]
        if not doors:
            continue
        shared = set.intersection(*(set(door.keypad) for door in doors))
        if len(shared) < MIN_KEYS:
            problems.append(
                Problem(
                    file,
                    f"rooms.{room_name}",
                    f"its doors' keypads share {len(shared)} key(s) "
                    f"({''.join(sorted(shared)) or 'none'}): a code must be typed on every door; "
                    "fix the doors' keypad settings",
                    room_name,
                )
            )
        elif len(shared) ** length < MIN_CODES:
            problems.append(
                Problem(
                    file,
                    "defaults.code_length",
                    f"room '{room_name}' has {len(shared)} keys its doors share, so "
                    f"{length}-digit codes allow only {len(shared) ** length} combinations: "
                    "raise code_length until there are at least 10,000",
                    length,
                )
            )
    return problems
