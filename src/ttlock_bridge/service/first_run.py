"""A first configuration from the TTLock account: every lock a door named from its alias, one
room per door that is not shared, the shared doors (main entrance, floor doors) opening for
every room, and a time zone that matches the locks.

`ttlock-bridge init` writes it as a commented file; `serve` without a file (zero-config mode)
runs on it in memory. Both start from `propose`, so what zero-config assumes is exactly what
`init` would write. Pure logic apart from `machine_zone` (it reads the host's settings).
"""

from __future__ import annotations

import os
import re
import unicodedata
from collections import Counter
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from ttlock_bridge.cloud import REGIONS, LockSummary
from ttlock_bridge.locks.clocks import zone_offsets_ms
from ttlock_bridge.text import strip_unsafe

HOUR_MS = 3_600_000
MAX_NAME = 64


class UnknownSharedDoor(ValueError):
    """A door named as shared is none of the account's locks."""


@dataclass(frozen=True, slots=True)
class ProposedDoor:
    name: str
    lock_id: int
    alias: str
    has_gateway: bool | None


@dataclass(frozen=True, slots=True)
class Proposal:
    """A property as `init` would write it: `zone_reason` says how the time zone was chosen."""

    property_name: str
    timezone: str
    zone_reason: str
    doors: list[ProposedDoor]
    shared: list[str]

    @property
    def rooms(self) -> list[str]:
        """One room per door that is not shared, named like it."""
        return [door.name for door in self.doors if door.name not in self.shared]


def door_name(alias: str, lock_id: int, taken: Collection[str]) -> str:
    """A configuration name from a lock's alias: "Room 1" -> "room-1", "Zimmer Süd" ->
    "zimmer-sud"; "lock-<lockId>" when nothing usable is left; "-2", "-3"... when taken."""
    ascii_text = unicodedata.normalize("NFKD", alias).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")[:MAX_NAME] or f"lock-{lock_id}"
    if slug.isdigit():  # a door name of digits only would read as a lockId in the API
        slug = f"lock-{slug}"[:MAX_NAME]
    name, number = slug, 1
    while name in taken:
        number += 1
        suffix = f"-{number}"
        name = slug[: MAX_NAME - len(suffix)] + suffix
    return name


def propose(
    locks: Sequence[LockSummary],
    *,
    shared: Collection[str] = (),
    timezone: str | None = None,
    property_name: str = "My property",
) -> Proposal:
    """The property for these locks. `shared` names doors by their proposed name, their alias
    (any case) or their lockId; raises `UnknownSharedDoor` naming the doors there are.
    `timezone` (an IANA name) wins over the guess from the locks and the machine."""
    doors: list[ProposedDoor] = []
    for lock in sorted(locks, key=lambda found: found.lock_id):
        name = door_name(lock.display_name, lock.lock_id, {door.name for door in doors})
        doors.append(ProposedDoor(name, lock.lock_id, lock.display_name, lock.has_gateway))
    chosen = [_door_named(doors, wanted) for wanted in shared]
    if timezone is None:
        timezone, reason = guess_zone(locks, machine_zone())
    else:
        try:
            ZoneInfo(timezone)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(
                f"unknown time zone {timezone!r}: use an IANA name like Europe/Berlin"
            ) from None
        reason = "given"
    names = {door.name for door in chosen}
    return Proposal(
        property_name, timezone, reason, doors, [d.name for d in doors if d.name in names]
    )


ENTRANCE_WORDS = re.compile(
    r"\b(?:entrance|entry|main door|front door|lobby|gate|eingang|haust[uü]r|entr[ée]e|"
    r"ingresso|portone|entrada|portal)\b",
    re.IGNORECASE,
)
"""Words that name a door every guest opens, in the languages of the peers' users; whole words
only ("Agate Suite" or "Sentry" is a room: a shared door opens for every guest)."""


def likely_shared(locks: Sequence[LockSummary]) -> list[str]:
    """The lockIds (as text) of the locks whose name says entrance: the default shared doors.
    LockIds, not names: two locks may share a name."""
    return [
        str(lock.lock_id)
        for lock in sorted(locks, key=lambda found: found.lock_id)
        if ENTRANCE_WORDS.search(lock.display_name)
    ]


def _door_named(doors: Sequence[ProposedDoor], wanted: str) -> ProposedDoor:
    key = wanted.strip().casefold()
    for door in doors:
        if key in (door.name, door.alias.casefold(), str(door.lock_id)):
            return door
    listed = ", ".join(f"{door.alias!r} ({door.name}, {door.lock_id})" for door in doors)
    raise UnknownSharedDoor(
        f"no lock called {wanted!r} in the account: name a shared door by its name in TTLock, "
        f"its door name or its lockId (the locks: {listed or 'none'})"
    )


def guess_zone(locks: Sequence[LockSummary], machine: str | None) -> tuple[str, str]:
    """The time zone to assume, and why: the machine's zone when it uses the offset most of
    the locks were set to (in either season), else a fixed-offset zone for that offset (no
    daylight saving time: set the real one), else the machine's zone, else UTC."""
    offsets = Counter(lock.timezone_raw_offset for lock in locks if lock.timezone_raw_offset)
    common = offsets.most_common(1)[0][0] if offsets else None
    if machine is not None:
        year = datetime.now(UTC).year
        if common is None or common in zone_offsets_ms(ZoneInfo(machine), year):
            return machine, "this machine's time zone" + (
                ", which matches the locks' offset" if common is not None else ""
            )
    if common is not None and common % HOUR_MS == 0 and abs(common) <= 12 * HOUR_MS:
        hours = common // HOUR_MS
        # the Etc zones' signs are inverted: Etc/GMT-2 is UTC+2
        fixed = "UTC" if hours == 0 else f"Etc/GMT{-hours:+d}"
        return fixed, (
            f"the locks' offset (UTC{hours:+d}) with no daylight saving time: "
            "set your real time zone (e.g. Europe/Berlin)"
        )
    if machine is not None:
        return machine, "this machine's time zone (the locks' offset fits no whole hour)"
    return "UTC", "no offset known: set your real time zone (e.g. Europe/Berlin)"


def machine_zone() -> str | None:
    """The host's IANA time zone: $TZ, /etc/timezone or the /etc/localtime link; None when it
    names none (e.g. a container without zone data)."""
    candidates = [os.environ.get("TZ", "").removeprefix(":")]
    timezone_file = Path("/etc/timezone")
    if timezone_file.is_file():
        candidates.append(timezone_file.read_text(encoding="utf-8").strip())
    localtime = Path("/etc/localtime")
    if localtime.is_symlink():
        target = str(localtime.resolve())
        if "zoneinfo/" in target:
            candidates.append(target.split("zoneinfo/", 1)[1])
    for candidate in candidates:
        if candidate and not candidate.startswith("/"):
            try:
                ZoneInfo(candidate)
            except (ZoneInfoNotFoundError, ValueError):
                continue
            return candidate
    return None


def render(proposal: Proposal, *, api_base: str | None = None, data_dir: str = "data") -> str:
    """The configuration file, commented: it loads as written, and holds no secret.
    `data_dir` is written as given (relative to the file, or absolute)."""
    lines = [
        "# ttlock-bridge configuration written by `ttlock-bridge init`; every key is explained",
        "# in docs/configuration.md. Secrets never go in this file: the TTLock credentials come",
        "# from TTLOCK_CLIENT_ID, TTLOCK_CLIENT_SECRET, TTLOCK_USERNAME and TTLOCK_PASSWORD.",
        "",
        "# Where the service keeps its state (SQLite database, API token); relative to this file.",
        f"data_dir = {toml_string(data_dir)}",
        "",
        "[property]",
        f"name = {toml_string(proposal.property_name)}",
        f"timezone = {toml_string(proposal.timezone)}"
        + f"  # {proposal.zone_reason}".replace("\n", " "),
        "",
        "# One door per lock of the account (its name in TTLock, its lockId).",
    ]
    for door in proposal.doors:
        no_gateway = "  # no gateway: codes cannot reach it remotely"
        lines += [
            "",
            f"[doors.{door.name}]  # {strip_unsafe(door.alias)}",
            f"lock_id = {door.lock_id}" + (no_gateway if door.has_gateway is False else ""),
        ]
    lines += [
        "",
        "# A room is what a guest books: its own doors, and the shared doors (main entrance,",
        "# floor doors) its code opens too. One room per door that is not shared; join doors",
        '# into one room with doors = ["a", "b"].',
    ]
    shared = ", ".join(toml_string(name) for name in proposal.shared)
    for room in proposal.rooms:
        lines += [
            "",
            f"[rooms.{room}]",
            f"doors = [{toml_string(room)}]",
            f"shared_doors = [{shared}]",
        ]
    region = next((name for name, url in REGIONS.items() if url == api_base), None)
    lines += ["", "[cloud]"]
    if region is not None:
        lines.append(f"region = {toml_string(region)}  # eu, global or cn: where the account lives")
    elif api_base is not None:
        lines.append(f"api_base = {toml_string(api_base)}")
    lines += [
        "",
        "[server]",
        'host = "127.0.0.1"  # "0.0.0.0" to be reached from other machines (behind HTTPS)',
        "port = 8080",
        "",
    ]
    return "\n".join(lines)


def toml_string(text: str) -> str:
    """A TOML basic string: quotes and backslashes escaped, anything unprintable as \\uXXXX or
    \\UXXXXXXXX."""
    escaped = text.replace("\\", "\\\\").replace('"', '\\"')
    return '"' + "".join(_toml_character(character) for character in escaped) + '"'


def _toml_character(character: str) -> str:
    if character.isprintable():
        return character
    code = ord(character)
    return f"\\u{code:04x}" if code <= 0xFFFF else f"\\U{code:08x}"
