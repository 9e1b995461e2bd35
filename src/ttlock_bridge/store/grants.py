"""Grants and the doors they target."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from ttlock_bridge.store.models import Grant, GrantDoor, GrantState, WriteGuard

_GRANT_WRITES = "grants"


@dataclass(frozen=True, slots=True)
class DoorRef:
    """A door by its configured name and the lock it is."""

    door: str
    lock_id: int


def take_grant_write_turn(session: Session) -> None:
    """Wait until no other transaction writes grants, then hold that turn until this one ends.

    Call it first in a transaction that checks and then writes grants or their placements (a
    code free on a door, a grant still active): the check then holds when the write commits,
    across threads and processes, on SQLite and PostgreSQL alike.
    """
    taken = session.execute(
        update(WriteGuard)
        .where(WriteGuard.name == _GRANT_WRITES)
        .values(turns=WriteGuard.turns + 1)
        .execution_options(synchronize_session=False)
    )
    if taken.rowcount == 0:  # type: ignore[attr-defined]  # a database older than its guard row
        session.add(WriteGuard(name=_GRANT_WRITES, turns=1))
        session.flush()


def add_grant(
    session: Session,
    *,
    tag: str,
    name: str,
    room: str | None,
    code: str,
    code_generated: bool,
    start_ms: int,
    end_ms: int,
    doors: Sequence[DoorRef],
    now_ms: int,
) -> Grant:
    """Record a new active grant on `doors` (in the given order); its id is set on return."""
    grant = Grant(
        tag=tag,
        name=name,
        room=room,
        code=code,
        code_generated=code_generated,
        start_ms=start_ms,
        end_ms=end_ms,
        state=GrantState.ACTIVE,
        created_at_ms=now_ms,
        updated_at_ms=now_ms,
        doors=[
            GrantDoor(position=position, door=ref.door, lock_id=ref.lock_id)
            for position, ref in enumerate(doors)
        ],
    )
    session.add(grant)
    session.flush()
    return grant


def get_grant(session: Session, grant_id: int) -> Grant | None:
    return session.get(Grant, grant_id)


def find_grant_by_tag(session: Session, tag: str) -> Grant | None:
    """The grant a passcode name's tag points to, if it is still on record."""
    return session.scalars(select(Grant).where(Grant.tag == tag)).one_or_none()


def list_grants(
    session: Session,
    *,
    state: GrantState | None = None,
    room: str | None = None,
    ends_after_ms: int | None = None,
) -> list[Grant]:
    """Grants by start time, optionally only in one state, for one room, or ending after
    `ends_after_ms` (UTC epoch ms: not yet ended then)."""
    query = select(Grant).order_by(Grant.start_ms, Grant.id)
    if state is not None:
        query = query.where(Grant.state == state)
    if room is not None:
        query = query.where(Grant.room == room)
    if ends_after_ms is not None:
        query = query.where(Grant.end_ms > ends_after_ms)
    return list(session.scalars(query))


def grants_ended_before(session: Session, cutoff_ms: int) -> list[Grant]:
    """Grants whose window closed before `cutoff_ms`, whatever their state (for cleanup)."""
    query = select(Grant).where(Grant.end_ms < cutoff_ms).order_by(Grant.end_ms, Grant.id)
    return list(session.scalars(query))
