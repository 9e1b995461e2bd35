"""`Desk`: what the composition root hands the console, and how pages reach it."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass
from typing import Annotated, ParamSpec, TypeVar

from fastapi import Depends, Request

from ttlock_bridge.access import Access
from ttlock_bridge.access.rooms import rooms_owning
from ttlock_bridge.clock import Clock
from ttlock_bridge.config import Config
from ttlock_bridge.locks import Locks
from ttlock_bridge.operations.accounts import Accounts
from ttlock_bridge.operations.journal import Journal
from ttlock_bridge.operations.sessions import Sessions
from ttlock_bridge.operations.throttle import SignInThrottle
from ttlock_bridge.operations.usage import CloudUsage
from ttlock_bridge.store import Store

P = ParamSpec("P")
T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class Desk:
    """The domain parts the console uses (never the runtime) and the operator records:
    accounts, sessions, the journal of actions and the sign-in throttle. `store` serves the
    lock records a grant's history and the locks page show."""

    config: Config
    access: Access
    locks: Locks
    usage: CloudUsage
    store: Store
    accounts: Accounts
    sessions: Sessions
    journal: Journal
    throttle: SignInThrottle
    clock: Clock

    async def run(self, action: Callable[P, T], *args: P.args, **kwargs: P.kwargs) -> T:
        """Run a synchronous store action (accounts, sessions, journal) in a worker thread."""
        return await asyncio.to_thread(action, *args, **kwargs)

    async def record(
        self,
        operator: str,
        action: str,
        *,
        grant_id: int | None = None,
        door: str | None = None,
        detail: str | None = None,
    ) -> None:
        """Record an operator's action in the journal (see `operations.journal`)."""
        await self.run(
            self.journal.record, operator, action, grant_id=grant_id, door=door, detail=detail
        )

    def rooms_owning(self, door: str) -> list[str]:
        """The rooms `door` is an own door of (a shared door like the main entrance: none)."""
        return rooms_owning(self.config, door)

    def door_names(self) -> dict[int, str]:
        """lockId -> the configured door name."""
        return {door.lock_id: name for name, door in self.config.doors.items()}


def desk(request: Request) -> Desk:
    found: Desk = request.app.state.desk
    return found


DeskDep = Annotated[Desk, Depends(desk)]
