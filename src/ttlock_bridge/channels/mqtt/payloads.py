"""The JSON payloads of the plain topics (topics.py), built from what the bridge knows; pure.

Home Assistant's entities read these same payloads through templates (discovery.py), so other
tools (Node-RED, openHAB, scripts) and Home Assistant never see two versions of a door. No
payload ever carries a passcode, masked or not: an event names the grant and its room instead.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from datetime import UTC, datetime

from ttlock_bridge.access import GrantView, RoomOccupancy
from ttlock_bridge.access.passcode_tag import human_part
from ttlock_bridge.locks import LockNews

EVENT_TYPES = (
    "keypad",
    "app",
    "card",
    "fingerprint",
    "remote",
    "key",
    "button",
    "locked",
    "failed_attempt",
    "alarm",
    "other",
)
"""The `event_type` values of a door's event; Home Assistant's event entity accepts only the
types listed in its discovery (shared/reference/home-assistant-mqtt.md, "event")."""

_TYPE_OF_METHOD = {
    "PIN": "keypad",
    "APP": "app",
    "CARD": "card",
    "HOTEL CARD": "card",
    "FINGER": "fingerprint",
    "REMOTE": "remote",
    "REMOTE UNLOCK": "remote",
    "FOB": "remote",
    "KEY": "key",
    "BUTTON": "button",
    "INSIDE": "button",
    "LOCK BUTTON": "locked",
    "KEYPAD BLOCKED": "failed_attempt",
    "FORCED OPEN": "alarm",
    "TAMPER": "alarm",
}
"""The lock's method word (`locks.event_text.method_word`, `LockNews.event_method`) to an event
type; every word that ends in `LOCK` (`AUTO LOCK`, `PIN LOCK`, `REMOTE LOCK`...) is `locked`,
every `... REFUSED` a `failed_attempt`, anything else `other`."""


def event_type(method: str) -> str:
    """`PIN` -> `keypad`, `AUTO LOCK` -> `locked`, `PIN REFUSED` -> `failed_attempt`."""
    if method.endswith(" REFUSED"):
        return "failed_attempt"
    if method.endswith("LOCK") and not method.endswith("UNLOCK"):
        return "locked"
    return _TYPE_OF_METHOD.get(method, "other")


@dataclass(frozen=True, slots=True)
class DoorState:
    """A door as `<base>/door/<door>/state` shows it: `bolt` locked / unlocked / unknown (a
    record the bridge cannot read) / None (nothing heard yet), `inferred` when the bolt state
    was deduced from the auto-lock time, `battery` in percent, `gateway` online / offline /
    none (the lock has no gateway) / None (not known yet)."""

    door: str
    lock_id: int
    bolt: str | None
    inferred: bool
    battery: int | None
    gateway: str | None

    @classmethod
    def of(cls, door: str, news: LockNews) -> DoorState:
        return cls(door, news.lock_id, news.bolt, news.inferred, news.battery, news.gateway)

    def payload(self) -> str:
        return json.dumps(asdict(self), separators=(",", ":"))


@dataclass(frozen=True, slots=True)
class GrantRef:
    """The grant whose passcode was used: its name and room (None for a grant on doors)."""

    name: str
    room: str | None


def event_payload(
    door: str,
    news: LockNews,
    at_ms: int,
    *,
    grant: GrantRef | None,
    source: str | None,
) -> str | None:
    """The JSON of `<base>/door/<door>/event` for news that is a lock event (it has a method
    word), else None: `event_type` (EVENT_TYPES), `method` (the lock's word, e.g. `PIN`), `who`
    (the grant's name when a guest code was used, else the name TTLock gave: app user, card,
    passcode without our tag), `room` (the grant's room), `source` (`mqtt` when this channel's
    command did it), `at` (ISO 8601 UTC, when the bridge heard it).
    """
    if news.event_method is None:
        return None
    who = grant.name if grant else (human_part(news.event_who) if news.event_who else None)
    body = {
        "event_type": event_type(news.event_method),
        "door": door,
        "method": news.event_method,
        "who": who or None,
        "room": grant.room if grant else None,
        "source": source,
        "at": _iso(at_ms),
    }
    return json.dumps(body, separators=(",", ":"), ensure_ascii=False)


def room_payload(occupancy: RoomOccupancy) -> str:
    """The JSON of `<base>/room/<room>/state`: `state` (vacant, arriving, in_house, leaving:
    `access.occupancy`), the current stay (`guest`, `grant_id`, `start`, `end` in the
    property's local time, `first_use` ISO 8601 UTC or null) and the next one (`next_guest`,
    `next_start`, `next_end`); null where there is none. Never the code."""
    current, coming = occupancy.current, occupancy.next
    body = {
        "room": occupancy.room,
        "state": occupancy.state.value,
        "guest": current.name if current else None,
        "grant_id": current.id if current else None,
        "start": current.start_local if current else None,
        "end": current.end_local if current else None,
        "first_use": _iso(occupancy.first_use_ms) if occupancy.first_use_ms is not None else None,
        **_next_stay(coming),
    }
    return json.dumps(body, separators=(",", ":"), ensure_ascii=False)


def _next_stay(coming: GrantView | None) -> dict[str, str | None]:
    return {
        "next_guest": coming.name if coming else None,
        "next_start": coming.start_local if coming else None,
        "next_end": coming.end_local if coming else None,
    }


def _iso(at_ms: int) -> str:
    return datetime.fromtimestamp(at_ms / 1000, UTC).isoformat(timespec="seconds")


def error_payload(command: str, error: str) -> str:
    """The JSON of `<base>/door/<door>/error`: the command and why it did nothing."""
    return json.dumps({"command": command, "error": error}, ensure_ascii=False)
