"""Booking feeds, their bookings and the sync's journal: thin reads and writes (the rules are in
`ttlock_bridge.bookings`)."""

from __future__ import annotations

from collections.abc import Collection

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from ttlock_bridge.store.models import Booking, BookingEvent, BookingFeed, Grant, GrantState


def feed_rows(session: Session, feed_ids: Collection[str]) -> list[BookingFeed]:
    if not feed_ids:
        return []
    return list(session.scalars(select(BookingFeed).where(BookingFeed.feed_id.in_(feed_ids))))


def feed_row(session: Session, feed_id: str, *, room: str, label: str) -> BookingFeed:
    """The feed's row, made (never read yet) when there is none."""
    row = session.get(BookingFeed, feed_id)
    if row is None:
        row = BookingFeed(feed_id=feed_id, room=room, label=label, failures=0, events=0)
        session.add(row)
    row.room, row.label = room, label
    return row


def bookings_of_feed(session: Session, feed_id: str) -> list[Booking]:
    return list(session.scalars(select(Booking).where(Booking.feed_id == feed_id)))


def orphan_bookings(
    session: Session, room: str, uids: Collection[str], configured: Collection[str]
) -> list[Booking]:
    """The room's bookings with one of `uids` whose feed is not among `configured`."""
    query = select(Booking).where(
        Booking.room == room, Booking.uid.in_(uids), Booking.feed_id.not_in(configured)
    )
    return list(session.scalars(query))


def bookings_of_feeds(session: Session, feed_ids: Collection[str]) -> list[Booking]:
    """Bookings of the feeds, by start time."""
    if not feed_ids:
        return []
    query = (
        select(Booking).where(Booking.feed_id.in_(feed_ids)).order_by(Booking.start_ms, Booking.id)
    )
    return list(session.scalars(query))


def grant_states(session: Session, grant_ids: Collection[int]) -> dict[int, tuple[GrantState, int]]:
    """grant id -> (state, end_ms) of those grants, in one query (no doors, no placements)."""
    if not grant_ids:
        return {}
    query = select(Grant.id, Grant.state, Grant.end_ms).where(Grant.id.in_(grant_ids))
    return {grant_id: (state, end_ms) for grant_id, state, end_ms in session.execute(query)}


def booking(session: Session, feed_id: str, uid: str) -> Booking | None:
    return session.scalars(
        select(Booking).where(Booking.feed_id == feed_id, Booking.uid == uid)
    ).one_or_none()


def forget_booking(session: Session, feed_id: str, uid: str) -> None:
    session.execute(delete(Booking).where(Booking.feed_id == feed_id, Booking.uid == uid))


def add_booking_event(
    session: Session,
    *,
    at_ms: int,
    feed_id: str,
    feed: str,
    room: str,
    uid: str | None,
    action: str,
    grant_id: int | None = None,
    detail: str | None = None,
) -> None:
    session.add(
        BookingEvent(
            at_ms=at_ms,
            feed_id=feed_id,
            feed=feed,
            room=room,
            uid=uid,
            action=action,
            grant_id=grant_id,
            detail=detail,
        )
    )


def booking_events(
    session: Session, *, room: str | None = None, limit: int = 100
) -> list[BookingEvent]:
    """The newest first, optionally of one room."""
    query = select(BookingEvent).order_by(BookingEvent.id.desc()).limit(limit)
    if room is not None:
        query = query.where(BookingEvent.room == room)
    return list(session.scalars(query))
