"""Telling every subscriber: one that fails is logged and never keeps the news from the others.

Lock news (`locks`) and grant news (`access`) reach the channels this way.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Iterable
from typing import Protocol, TypeVar

log = logging.getLogger("ttlock_bridge.news")


class Named(Protocol):
    """A subscriber names itself, so a log line says who failed."""

    @property
    def name(self) -> str: ...


S = TypeVar("S", bound=Named)


async def tell_each(
    subscribers: Iterable[S], deliver: Callable[[S], Awaitable[None]], *, about: str
) -> None:
    """`await deliver(subscriber)` for each in turn; a raised exception is logged with `about`
    (e.g. `lock_id=12`, never a passcode) and the next subscriber is told all the same."""
    for subscriber in subscribers:
        try:
            await deliver(subscriber)
        except Exception:
            log.exception("event=publish_failed subscriber=%s %s", subscriber.name, about)
