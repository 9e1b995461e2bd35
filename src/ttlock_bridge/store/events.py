"""Lock events, stored once even when both the callback and the record list report them."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ttlock_bridge.store.models import Event, EventSource
from ttlock_bridge.store.upsert import insert_for


def add_event(
    session: Session,
    *,
    dedupe_key: str,
    lock_id: int,
    record_type: int,
    record_type_from_lock: int | None,
    success: bool,
    username: str | None,
    masked_code: str | None,
    lock_date_ms: int,
    server_date_ms: int | None,
    source: EventSource,
    battery: int | None = None,
    stored_by: str | None = None,
) -> bool:
    """Store the event unless one with the same `dedupe_key` exists; True if it was new.
    `stored_by` names the replica that stores it (`store.replica`)."""
    statement = (
        insert_for(session, Event)
        .values(
            dedupe_key=dedupe_key,
            lock_id=lock_id,
            record_type=record_type,
            record_type_from_lock=record_type_from_lock,
            success=success,
            username=username,
            masked_code=masked_code,
            lock_date_ms=lock_date_ms,
            server_date_ms=server_date_ms,
            source=source.value,
            battery=battery,
            stored_by=stored_by,
        )
        .on_conflict_do_nothing(index_elements=["dedupe_key"])
        .returning(Event.id)
    )
    return session.execute(statement).first() is not None


def recent_events(session: Session, *, lock_id: int | None = None, limit: int = 100) -> list[Event]:
    """The last to arrive first, optionally for one lock.

    Arrival, not the lock's clock: a lock whose clock is wrong cannot put an old event first
    (DESIGN invariant 8).
    """
    query = select(Event).order_by(Event.id.desc()).limit(limit)
    if lock_id is not None:
        query = query.where(Event.lock_id == lock_id)
    return list(session.scalars(query))


def last_event_id(session: Session) -> int:
    """The id of the newest event to arrive (0 when there is none)."""
    return session.scalar(select(func.max(Event.id))) or 0


def events_after(session: Session, after_id: int, *, limit: int) -> list[Event]:
    """Events that arrived after the one with id `after_id`, oldest first (at most `limit`)."""
    query = select(Event).where(Event.id > after_id).order_by(Event.id).limit(limit)
    return list(session.scalars(query))


def events_page(
    session: Session, *, lock_id: int | None = None, limit: int = 50, before: int | None = None
) -> list[Event]:
    """Newest first by id (arrival order), so `before` pages stay stable while events arrive."""
    query = select(Event).order_by(Event.id.desc()).limit(limit)
    if lock_id is not None:
        query = query.where(Event.lock_id == lock_id)
    if before is not None:
        query = query.where(Event.id < before)
    return list(session.scalars(query))


def uses_naming(session: Session, fragment: str, since_ms: int) -> list[Event]:
    """Successful records at or after `since_ms` (lock date) whose user name contains
    `fragment` (the access layer's passcode tag marker): matched to grants by the caller."""
    query = select(Event).where(
        Event.success.is_(True),
        Event.lock_date_ms >= since_ms,
        Event.username.contains(fragment, autoescape=True),
    )
    return list(session.scalars(query))
