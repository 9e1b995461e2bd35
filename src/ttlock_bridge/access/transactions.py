"""Store transactions run in a worker thread, so the event loop never waits on the database."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Concatenate, ParamSpec, TypeVar

from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from ttlock_bridge.access.errors import ConcurrentChange
from ttlock_bridge.store import Store

P = ParamSpec("P")
T = TypeVar("T")


class Transactions:
    """`await transactions(action, *args)` runs `action(session, *args)` in one transaction.

    A write that lost a race with another on the same row (the grant's version moved on in
    between) raises `ConcurrentChange`: nothing of the transaction was written.
    """

    def __init__(self, store: Store) -> None:
        self._store = store

    async def __call__(
        self, action: Callable[Concatenate[Session, P], T], *args: P.args, **kwargs: P.kwargs
    ) -> T:
        return await asyncio.to_thread(self._run, lambda session: action(session, *args, **kwargs))

    def _run(self, action: Callable[[Session], T]) -> T:
        try:
            with self._store.transaction() as session:
                return action(session)
        except StaleDataError as error:
            raise ConcurrentChange(
                "this grant was changed by another request at the same moment: read it "
                "again and repeat the change if it is still needed"
            ) from error
