"""Live updates: grant news and lock news told to every open page over server-sent events.

An event names what changed, never its content (`{"rooms": [...], "grants": [...], "doors":
[...]}`); the page fetches the fragments it shows of those (a room card, a grant's doors, a
lock row) with its own session, so a code never travels in the stream. A stream ends after
`STREAM_SECONDS` (the browser's EventSource reconnects within a second and the page refreshes
what it shows), so no stream outlives a server that is shutting down by much.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Callable
from typing import Final

from ttlock_bridge.access import GrantNews
from ttlock_bridge.locks import LockNews

STREAM_SECONDS: Final = 25.0
KEEPALIVE_SECONDS: Final = 10.0
QUEUE_SIZE: Final = 256
RECONNECT_MS: Final = 1000

Change = dict[str, list[str] | list[int]]


class LiveNews:
    """The open streams; `grant_changed` and `publish` are the news subscriptions."""

    name = "console"

    def __init__(self, rooms_of_door: Callable[[str], list[str]]) -> None:
        self._rooms_of_door = rooms_of_door
        self._listeners: set[asyncio.Queue[Change]] = set()

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
        for queue in self._listeners:
            if queue.full():  # a stalled page: it refreshes everything when it reconnects
                continue
            queue.put_nowait(change)

    async def stream(self, *, seconds: float = STREAM_SECONDS) -> AsyncIterator[str]:
        """`text/event-stream` lines for one page, for `seconds` at most."""
        queue: asyncio.Queue[Change] = asyncio.Queue(QUEUE_SIZE)
        self._listeners.add(queue)
        loop = asyncio.get_running_loop()
        ends_at = loop.time() + seconds
        try:
            yield f"retry: {RECONNECT_MS}\n\n"
            while (left := ends_at - loop.time()) > 0:
                try:
                    change = await asyncio.wait_for(queue.get(), min(left, KEEPALIVE_SECONDS))
                except TimeoutError:
                    yield ": keepalive\n\n"
                    continue
                yield f"data: {json.dumps(change)}\n\n"
        finally:
            self._listeners.discard(queue)
