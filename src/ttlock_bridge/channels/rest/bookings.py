"""`/api/v1/bookings`: the booking calendars, their bookings and grants; a sync on demand."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query

from ttlock_bridge.bookings import BookingsOverview, SyncReport
from ttlock_bridge.channels.rest.dependencies import BridgeDep, require_token
from ttlock_bridge.channels.rest.errors import ERROR_RESPONSES, RoomNotFound
from ttlock_bridge.channels.rest.schemas import (
    NAME_PATTERN,
    BookingsOut,
    BookingSyncIn,
    BookingSyncOut,
)

router = APIRouter(
    prefix="/api/v1", dependencies=[Depends(require_token)], responses=ERROR_RESPONSES
)


@router.get(
    "/bookings",
    tags=["bookings"],
    summary="Booking calendars (last read, last error), current and upcoming bookings and "
    "their grants, the sync's latest events",
)
async def bookings(
    bridge: BridgeDep,
    room: Annotated[str | None, Query(pattern=NAME_PATTERN)] = None,
    events: Annotated[int, Query(ge=0, le=500, description="how many journal events")] = 50,
) -> BookingsOut:
    if room is not None and room not in bridge.config.rooms:
        raise RoomNotFound(room)
    if bridge.bookings is None:
        return BookingsOut.of(BookingsOverview((), (), ()), bridge.config.property.zone)
    overview = await bridge.bookings.overview(room=room, events=events)
    return BookingsOut.of(overview, bridge.config.property.zone)


@router.post(
    "/bookings/sync",
    tags=["bookings"],
    summary="Read the booking calendars now and act on them (dry_run: only say what would "
    "be created, changed and cancelled)",
)
async def sync(bridge: BridgeDep, request: BookingSyncIn | None = None) -> BookingSyncOut:
    asked = request or BookingSyncIn()
    if asked.room is not None and asked.room not in bridge.config.rooms:
        raise RoomNotFound(asked.room)
    zone = bridge.config.property.zone
    if bridge.bookings is None:
        return BookingSyncOut.of(SyncReport(asked.dry_run, ()), zone)
    report = await bridge.bookings.sync(dry_run=asked.dry_run, room=asked.room)
    return BookingSyncOut.of(report, zone)
