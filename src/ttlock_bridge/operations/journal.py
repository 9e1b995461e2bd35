"""What operators did in the console, each action with the operator's name: the record the
grant page and the problems page show, and a log line (`event=operator_action`).

A detail is for people ("room-2, 2026-12-01 15:00 to 2026-12-03 11:00") and never holds a
passcode: the reveal of a code is recorded as the fact that it was revealed.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from ttlock_bridge.clock import Clock
from ttlock_bridge.store import OperatorAction, Store
from ttlock_bridge.store.operators import actions

log = logging.getLogger("ttlock_bridge.journal")


@dataclass(frozen=True, slots=True)
class Action:
    """One recorded action: when (UTC ms), who, what (`issued`, `modified`, `cancelled`,
    `new_code`, `revealed_code`, `unlocked`, `cleanup`, `signed_in`, `signed_out`), on which
    grant or door, and a detail for people."""

    at_ms: int
    operator: str
    action: str
    grant_id: int | None
    door: str | None
    detail: str | None


class Journal:
    """Record and read operator actions; synchronous (async callers use a worker thread)."""

    def __init__(self, store: Store, clock: Clock) -> None:
        self._store = store
        self._clock = clock

    def record(
        self,
        operator: str,
        action: str,
        *,
        grant_id: int | None = None,
        door: str | None = None,
        detail: str | None = None,
    ) -> None:
        with self._store.transaction() as session:
            session.add(
                OperatorAction(
                    at_ms=self._clock(),
                    operator=operator,
                    action=action,
                    grant_id=grant_id,
                    door=door,
                    detail=detail,
                )
            )
        log.info(
            "event=operator_action operator=%s action=%s grant_id=%s door=%s",
            operator,
            action,
            grant_id,
            door,
        )

    def read(self, *, grant_id: int | None = None, limit: int = 100) -> list[Action]:
        """The newest first, optionally of one grant."""
        with self._store.transaction() as session:
            return [
                Action(row.at_ms, row.operator, row.action, row.grant_id, row.door, row.detail)
                for row in actions(session, grant_id=grant_id, limit=limit)
            ]
