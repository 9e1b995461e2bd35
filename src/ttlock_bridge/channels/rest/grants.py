"""`/api/v1/rooms` and `/api/v1/grants`: guest access through the access core."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Header, Path, Query, Response
from pydantic import BaseModel, ConfigDict

from ttlock_bridge.access import GrantChanges, GrantRequest, StayOutcome
from ttlock_bridge.channels.rest.dependencies import Bridge, BridgeDep, require_token
from ttlock_bridge.channels.rest.errors import ERROR_RESPONSES, RoomNotFound
from ttlock_bridge.channels.rest.schemas import (
    NAME_PATTERN,
    CodeText,
    GrantChange,
    GrantIn,
    GrantOut,
    QueryBool,
    RoomOut,
    Text,
    TimeText,
)

router = APIRouter(
    prefix="/api/v1", dependencies=[Depends(require_token)], responses=ERROR_RESPONSES
)

GrantId = Annotated[int, Path(ge=1, le=2**31 - 1)]
RoomName = Annotated[str, Path(pattern=NAME_PATTERN)]
IdempotencyKey = Annotated[
    str | None,
    Header(
        alias="Idempotency-Key",
        pattern=r"^[!-~]{1,200}$",
        description=(
            "Any unique value (a UUID) per grant to create, 1-200 visible ASCII characters: a "
            "retry with the same key and body answers the grant the first request created"
        ),
    ),
]


@router.get("/rooms", tags=["rooms"], summary="Rooms, their doors and current grant")
async def list_rooms(bridge: BridgeDep) -> list[RoomOut]:
    return [await _room_out(bridge, name) for name in bridge.config.rooms]


@router.get("/rooms/{room}", tags=["rooms"], summary="One room, its doors and current grant")
async def show_room(room: RoomName, bridge: BridgeDep) -> RoomOut:
    if room not in bridge.config.rooms:
        raise RoomNotFound(room)
    return await _room_out(bridge, room)


class StayIn(BaseModel):
    """A stay of the room: a window in property-local time (dates get check-in/out)."""

    model_config = ConfigDict(extra="forbid")

    start: TimeText
    end: TimeText
    name: Text | None = None
    code: CodeText | None = None


class StayOut(BaseModel):
    """`changed`: the window overlapped the room's current stay, that grant was changed;
    `next_stay`: it overlapped none, a new grant beside the room's other stay; `new`: the room
    had no current stay."""

    outcome: Literal["new", "next_stay", "changed"]
    grant: GrantOut


@router.post(
    "/rooms/{room}/stays",
    tags=["rooms"],
    status_code=201,
    summary="Issue by room: change the stay the window overlaps, or a new grant (next guest)",
    responses={200: {"description": "The room's overlapping stay was changed"}},
)
async def issue_stay(
    room: RoomName, stay: StayIn, bridge: BridgeDep, response: Response
) -> StayOut:
    if room not in bridge.config.rooms:
        raise RoomNotFound(room)
    issued = await bridge.access.stays.issue(
        room, stay.start, stay.end, code=stay.code, name=stay.name
    )
    if issued.outcome is StayOutcome.CHANGED:
        response.status_code = 200
    grant = GrantOut.of(issued.grant, bridge.config.property.zone, reveal_code=True)
    return StayOut(outcome=issued.outcome.value, grant=grant)


@router.post(
    "/grants",
    status_code=201,
    tags=["grants"],
    summary="Grant access (a room or doors, a window, a code): placed on every door at once",
)
async def create_grant(
    new: GrantIn, bridge: BridgeDep, idempotency_key: IdempotencyKey = None
) -> GrantOut:
    view = await bridge.access.grants.create(
        GrantRequest(
            start=new.start,
            end=new.end,
            room=new.room,
            doors=new.doors,
            name=new.name,
            code=new.code,
        ),
        idempotency_key=idempotency_key,
    )
    return GrantOut.of(view, bridge.config.property.zone, reveal_code=True)


@router.get("/grants", tags=["grants"], summary="Grants (codes masked), current ones by default")
async def list_grants(
    bridge: BridgeDep,
    room: Annotated[str | None, Query(pattern=NAME_PATTERN)] = None,
    include_inactive: QueryBool = False,
) -> list[GrantOut]:
    views = await bridge.access.grants.find(room=room, include_inactive=include_inactive)
    zone = bridge.config.property.zone
    return [GrantOut.of(view, zone, reveal_code=False) for view in views]


@router.get("/grants/{grant_id}", tags=["grants"], summary="A grant with its code and doors")
async def show_grant(grant_id: GrantId, bridge: BridgeDep) -> GrantOut:
    view = await bridge.access.grants.get(grant_id)
    return GrantOut.of(view, bridge.config.property.zone, reveal_code=True)


@router.patch("/grants/{grant_id}", tags=["grants"], summary="Change dates, name or code")
async def modify_grant(grant_id: GrantId, change: GrantChange, bridge: BridgeDep) -> GrantOut:
    view = await bridge.access.grants.modify(
        grant_id,
        GrantChanges(start=change.start, end=change.end, name=change.name, code=change.code),
    )
    return GrantOut.of(view, bridge.config.property.zone, reveal_code=True)


@router.post(
    "/grants/{grant_id}/new-code",
    tags=["grants"],
    summary="A fresh generated code (e.g. the old one was disclosed), placed on every door",
)
async def new_grant_code(grant_id: GrantId, bridge: BridgeDep) -> GrantOut:
    view = await bridge.access.grants.new_code(grant_id)
    return GrantOut.of(view, bridge.config.property.zone, reveal_code=True)


@router.delete(
    "/grants/{grant_id}", tags=["grants"], summary="Cancel: the code is removed from every door"
)
async def cancel_grant(grant_id: GrantId, bridge: BridgeDep) -> GrantOut:
    cancellation = await bridge.access.grants.cancel(grant_id)
    return GrantOut.of(cancellation.view, bridge.config.property.zone, reveal_code=False)


async def _room_out(bridge: Bridge, name: str) -> RoomOut:
    room = bridge.config.rooms[name]
    current = await bridge.access.grants.current_for_room(name)
    return RoomOut(
        name=name,
        doors=list(room.doors),
        shared_doors=list(room.shared_doors),
        current_grant=(
            None
            if current is None
            else GrantOut.of(current, bridge.config.property.zone, reveal_code=False)
        ),
    )
