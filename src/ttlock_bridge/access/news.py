"""How channels hear that a grant changed: `GrantNews`, told to every subscriber.

A grant changes when someone creates, modifies or cancels it (or draws it a new code) and
whenever the reconciler moves one of its doors (pending to active, a failure, a removal). The
news says which grant and where; a subscriber (the console's live board, the MQTT room sensors)
reads what it shows from the access core, so news never carries a passcode.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from sqlalchemy.orm import Session

from ttlock_bridge.fanout import tell_each
from ttlock_bridge.store import Grant


@dataclass(frozen=True, slots=True)
class GrantNews:
    """Grant `grant_id` changed; `room` is its room (None for a grant on explicit doors) and
    `doors` the configured names of its doors."""

    grant_id: int
    room: str | None
    doors: tuple[str, ...]


class GrantNewsSubscriber(Protocol):
    """Anything that wants grant news; `name` says who failed when telling it raises.

    `grant_changed` is awaited by the writer (a request, the reconciler): it must return at
    once, leaving slow work (reading the store, publishing) to the subscriber's own task."""

    @property
    def name(self) -> str: ...

    async def grant_changed(self, news: GrantNews) -> None: ...


class GrantBulletin:
    """The subscribers of grant news, told in the order they subscribed."""

    def __init__(self) -> None:
        self._subscribers: list[GrantNewsSubscriber] = []

    def subscribe(self, subscriber: GrantNewsSubscriber) -> None:
        self._subscribers.append(subscriber)

    async def tell(self, news: GrantNews) -> None:
        await tell_each(
            self._subscribers,
            lambda subscriber: subscriber.grant_changed(news),
            about=f"grant_id={news.grant_id}",
        )


def grant_news(session: Session, grant_id: int) -> GrantNews | None:
    """The news for grant `grant_id` as it stands in the store; None if there is no such grant."""
    grant = session.get(Grant, grant_id)
    if grant is None:
        return None
    return GrantNews(grant.id, grant.room, tuple(door.door for door in grant.doors))
