"""Live updates: grant news and lock news told to every open page over server-sent events.

An event names what changed, never its content (`{"rooms": [...], "grants": [...], "doors":
[...]}`); the page fetches the fragments it shows of those (a room card, a grant's doors, a
lock row) with its own session, so a code never travels in the stream. A stream ends after
`STREAM_SECONDS`, so no stream outlives a server that is shutting down by much; the browser's
EventSource reconnects within a second with the id of the last event it saw, and the stream
starts with what it missed (the last `KEPT_CHANGES`), or with `{"all": true}` (refresh
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

    def __init__(self, rooms_of_door: Callable[[str], list[str]]) -> None:
        self._rooms_of_door = rooms_of_door
        self._listeners: set[asyncio.Queue[tuple[int, Change]]] = set()
        self._numbers = itertools.count(1)
        self._kept: deque[tuple[int, Change]] = deque(maxlen=KEPT_CHANGES)

    @property
    def listeners(self) -> int:
        return len(self._listeners)

    async def grant_changed(self, news: GrantNews) -> None:
        rooms = [news.room] if news.room else []
        self._tell({"rooms": rooms, "grants": [news.grant_id], "doors": list(news.doors)})

    async def publish(self, news: LockNews) -> None:
        if news.door is None:
            return
        self._tell({"rooms": self._rooms_of_door(news.door), "grants": [], "doors": [news.door]})

    def _tell(self, change: Change) -> None:
        numbered = (next(self._numbers), change)
        self._kept.append(numbered)
        for queue in self._listeners:
            if not queue.full():  # a stalled page catches up from `_kept` when it reconnects
                queue.put_nowait(numbered)

    async def stream(
        self, *, last_seen: int | None = None, seconds: float = STREAM_SECONDS
    ) -> AsyncIterator[str]:
        """`text/event-stream` lines for one page, for `seconds` at most, starting with what
        came after event `last_seen` (the browser's `Last-Event-ID`) when given."""
        queue: asyncio.Queue[tuple[int, Change]] = asyncio.Queue(QUEUE_SIZE)
        self._listeners.add(queue)
        loop = asyncio.get_running_loop()
        ends_at = loop.time() + seconds
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
