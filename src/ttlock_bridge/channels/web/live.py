"""Live updates: grant news and lock news told to every open page over server-sent events.

An event names what changed, never its content, so a code never travels in the stream; the
page fetches the fragments it shows of those with its own session:

- grant news: `{"rooms": [its room], "grants": [its id]}`: that room's card, that grant's
  doors;
- lock news: `{"doors": [door], "rooms": [...], "tags": [...]}`: the door's facts (battery,
  gateway) in every chip of that door, in one fetch, and its row on the locks page; the cards
  of the rooms it is an own door of; and, when the news is a keypad use of a grant's code, the
  card holding that grant (its tag). A shared door (the main entrance) names no room, so a
  lock event there refreshes one fragment, not every room's card.

A stream ends after `STREAM_SECONDS`, so no stream outlives a server that is shutting down by
much (nor a session that ended: the reconnect is refused, and the page goes to sign in); the
browser's EventSource reconnects within a second with the id of the last event it saw, and the
stream starts with what it missed (the last `KEPT_CHANGES`), or with `{"all": true}` (refresh
everything) when that is no longer kept.
"""

from __future__ import annotations

import asyncio
import itertools
import json
from collections import deque
from collections.abc import AsyncIterator, Callable
from typing import Final

from ttlock_bridge.access import GrantNews
from ttlock_bridge.access.passcode_tag import parse_tag
from ttlock_bridge.locks import LockNews

STREAM_SECONDS: Final = 25.0
KEEPALIVE_SECONDS: Final = 10.0
QUEUE_SIZE: Final = 256
RECONNECT_MS: Final = 1000
KEPT_CHANGES: Final = 512

Change = dict[str, list[str] | list[int] | bool]


class LiveNews:
    """The open streams; `grant_changed` and `publish` are the news subscriptions."""

    name = "console"

    def __init__(
        self, rooms_owning: Callable[[str], list[str]], stream_seconds: float = STREAM_SECONDS
    ) -> None:
        """`rooms_owning(door)`: the rooms the door is an own door of; `stream_seconds`: how
        long one stream lasts before the browser reconnects."""
        self._rooms_owning = rooms_owning
        self.stream_seconds = stream_seconds
        self._listeners: set[asyncio.Queue[tuple[int, Change]]] = set()
        self._numbers = itertools.count(1)
        self._kept: deque[tuple[int, Change]] = deque(maxlen=KEPT_CHANGES)

    @property
    def listeners(self) -> int:
        return len(self._listeners)

    async def grant_changed(self, news: GrantNews) -> None:
        self._tell({"rooms": [news.room] if news.room else [], "grants": [news.grant_id]})

    async def publish(self, news: LockNews) -> None:
        if news.door is None:
            return
        tag = parse_tag(news.event_who)
        self._tell(
            {
                "doors": [news.door],
                "rooms": self._rooms_owning(news.door),
                "tags": [tag] if tag else [],
            }
        )

    def _tell(self, change: Change) -> None:
        numbered = (next(self._numbers), change)
        self._kept.append(numbered)
        for queue in self._listeners:
            if not queue.full():  # a stalled page catches up from `_kept` when it reconnects
                queue.put_nowait(numbered)

    async def stream(
        self, *, last_seen: int | None = None, seconds: float | None = None
    ) -> AsyncIterator[str]:
        """`text/event-stream` lines for one page, for `seconds` at most (else
        `stream_seconds`), starting with what came after event `last_seen` (the browser's
        `Last-Event-ID`) when given."""
        queue: asyncio.Queue[tuple[int, Change]] = asyncio.Queue(QUEUE_SIZE)
        self._listeners.add(queue)
        loop = asyncio.get_running_loop()
        ends_at = loop.time() + (self.stream_seconds if seconds is None else seconds)
        try:
            yield f"retry: {RECONNECT_MS}\n\n"
            for missed in self._missed(last_seen):
                yield _event(missed)
            while (left := ends_at - loop.time()) > 0:
                try:
                    numbered = await asyncio.wait_for(queue.get(), min(left, KEEPALIVE_SECONDS))
                except TimeoutError:
                    yield ": keepalive\n\n"
                    continue
                yield _event(numbered)
        finally:
            self._listeners.discard(queue)

    def _missed(self, last_seen: int | None) -> list[tuple[int, Change]]:
        if last_seen is None:
            return []
        newer = [numbered for numbered in self._kept if numbered[0] > last_seen]
        oldest_kept = self._kept[0][0] if self._kept else last_seen + 1
        if last_seen + 1 < oldest_kept:  # some were forgotten: refresh everything
            return [(self._kept[-1][0], {"all": True})]
        return newer


def _event(numbered: tuple[int, Change]) -> str:
    number, change = numbered
    return f"id: {number}\ndata: {json.dumps(change)}\n\n"
