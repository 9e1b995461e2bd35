"""Doors whose gateway is back: their waiting placements are tried at once.

A placement that failed because the gateway was offline waits for its backoff (up to hours after
a long outage); a door that had no gateway at all is failed until someone pairs one. The moment
gateway health says the door is reachable again (lock news: "online" after "offline" or
"none"), those placements are due now, so a guest arriving after an outage finds a code that
works instead of one still waiting for its next try.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable

from ttlock_bridge.locks.gateways import GatewayState
from ttlock_bridge.locks.news import LockNews

log = logging.getLogger("ttlock_bridge.access")

UNREACHABLE = frozenset({GatewayState.OFFLINE.value, GatewayState.NONE.value})


class GatewayReturn:
    """A lock-news subscriber that queues each door whose gateway came back; `serve` retries
    them one door at a time (the news path never waits for a reconcile)."""

    name = "gateway return"

    def __init__(self) -> None:
        self._last: dict[int, str] = {}
        self._returned: asyncio.Queue[int] = asyncio.Queue()

    async def publish(self, news: LockNews) -> None:
        if news.gateway is None:
            return
        previous, self._last[news.lock_id] = self._last.get(news.lock_id), news.gateway
        if news.gateway == GatewayState.ONLINE.value and previous in UNREACHABLE:
            self._returned.put_nowait(news.lock_id)

    async def serve(self, retry_door: Callable[[int], Awaitable[int]]) -> None:
        """Until cancelled: `retry_door(lock_id)` for each door that came back (it returns how
        many grants it retried); a failure is logged and the next door is still served."""
        while True:
            lock_id = await self._returned.get()
            try:
                grants = await retry_door(lock_id)
            except Exception:
                log.exception("event=gateway_return_retry_failed lock_id=%d", lock_id)
            else:
                log.info("event=gateway_return lock_id=%d grants_retried=%d", lock_id, grants)
