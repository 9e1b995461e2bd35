"""`/api/v1/cleanup`, `/drift`, `/events` and `/usage`: looking after the locks and the quota."""

from __future__ import annotations

import asyncio
from typing import Annotated

from fastapi import APIRouter, Depends, Query

from ttlock_bridge.channels.rest.dependencies import Bridge, BridgeDep, require_token
from ttlock_bridge.channels.rest.errors import ERROR_RESPONSES
from ttlock_bridge.channels.rest.schemas import (
    NAME_PATTERN,
    CleanupIn,
    CleanupOut,
    DoorClockOut,
    DriftOut,
    EventOut,
    EventPage,
    LockClockOut,
    UsageOut,
    local_iso,
)
from ttlock_bridge.locks.event_text import describe
from ttlock_bridge.store import Event
from ttlock_bridge.store.events import events_page

router = APIRouter(
    prefix="/api/v1", dependencies=[Depends(require_token)], responses=ERROR_RESPONSES
)


@router.post(
    "/cleanup",
    tags=["maintenance"],
    summary="Remove passcodes of ended grants (dry run by default; sweep: also untracked ones)",
)
async def cleanup(bridge: BridgeDep, request: CleanupIn | None = None) -> CleanupOut:
    asked = request or CleanupIn()
    report = await bridge.access.cleanup.run(dry_run=asked.dry_run, sweep=asked.sweep)
    return CleanupOut.of(report)


@router.get(
    "/drift", tags=["maintenance"], summary="Passcodes the locks and the ledger disagree about"
)
async def drift(bridge: BridgeDep) -> DriftOut:
    zone = bridge.config.property.zone
    clocks = [
        DoorClockOut(
            door=door.door, lock_id=door.lock_id, **LockClockOut.of(checked, zone).model_dump()
        )
        for door in bridge.locks.directory.doors()
        if (checked := bridge.locks.clocks.of(door.lock_id)) is not None
        and (checked.corrected or checked.zone_problem is not None)
    ]
    return DriftOut.of(await bridge.access.cleanup.drift(), clocks)


@router.get("/events", tags=["events"], summary="Lock events, newest first (passcodes masked)")
async def events(
    bridge: BridgeDep,
    lock: Annotated[
        str | None, Query(description="door name or lockId", pattern=NAME_PATTERN)
    ] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
    before: Annotated[int | None, Query(ge=1, le=2**62, description="an event id")] = None,
) -> EventPage:
    lock_id = None if lock is None else bridge.locks.directory.resolve(lock).lock_id
    found = await asyncio.to_thread(_events_page, bridge, lock_id, limit + 1, before)
    zone = bridge.config.property.zone
    page = [
        EventOut(
            id=event.id,
            door=door.door if (door := bridge.locks.directory.door_of(event.lock_id)) else None,
            lock_id=event.lock_id,
            at=local_iso(event.lock_date_ms, zone),
            clock_offset_ms=(
                None if event.server_date_ms is None else event.lock_date_ms - event.server_date_ms
            ),
            record_type=event.record_type,
            success=event.success,
            text=describe(
                event.record_type,
                success=event.success,
                masked_code=event.masked_code,
                who=event.username,
            ),
            username=event.username,
            masked_code=event.masked_code,
            source=event.source.value,
        )
        for event in found[:limit]
    ]
    return EventPage(events=page, next_before=page[-1].id if len(found) > limit else None)


@router.get("/usage", tags=["maintenance"], summary="TTLock API calls today and this month")
async def usage(bridge: BridgeDep) -> UsageOut:
    counted = await bridge.usage.usage()
    budget = bridge.usage.budget()
    return UsageOut(
        monthly_budget=budget.budget,
        projected_month=budget.projected,
        budget_state=budget.state.value,
        day=counted.day,
        month=counted.month,
        today=counted.today,
        this_month=counted.this_month,
        total_today=sum(counted.today.values()),
        total_this_month=sum(counted.this_month.values()),
    )


def _events_page(
    bridge: Bridge, lock_id: int | None, limit: int, before: int | None
) -> list[Event]:
    with bridge.store.transaction() as session:
        return events_page(session, lock_id=lock_id, limit=limit, before=before)
