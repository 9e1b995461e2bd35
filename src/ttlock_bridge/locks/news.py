"""How the rest of the bridge hears about a door: `LockNews`, handed to every subscriber.

The lock-state package defines this contract itself, so it never imports a channel: the
composition root subscribes the channels (KNX status objects, MQTT state topics, the console's
live board) and each gets every piece of news.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Protocol


@dataclass(frozen=True, slots=True)
class LockNews:
    """Something new about a lock for channels to publish. Never carries a passcode."""

    lock_id: int
    door: str | None
    bolt: str | None  # "locked" | "unlocked" | "unknown" (a record we cannot read) | None
    battery: int | None  # percent, None until a source reported it
    event_text: str | None  # human, e.g. "passcode ****56 (R1 Smith)" or "remote unlock"
    inferred: bool = False  # true when the state was deduced (auto-lock timer), not reported
    gateway: str | None = None  # "online" | "offline" | "none" (no gateway) | None when unknown
    event_method: str | None = None  # one short ASCII word first: "PIN", "REMOTE UNLOCK"...
    event_who: str | None = None  # the passcode's, card's or user's name as TTLock gave it


class LockNewsSubscriber(Protocol):
    """Anything that wants lock news; `name` says who failed when publishing raises."""

    name: str

    async def publish(self, news: LockNews) -> None: ...


Announce = Callable[[int, str], Awaitable[None]]
"""Publish a door's current state with a short text (lockId, text): how parts of the lock
state other than the keeper (gateway health, lock clocks) tell their news."""
