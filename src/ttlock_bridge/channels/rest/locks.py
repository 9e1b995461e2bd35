"""`/api/v1/locks`: doors by name or lockId — state, remote commands, passage mode, passcodes."""

from __future__ import annotations

import asyncio
from typing import Annotated

from fastapi import APIRouter, Depends, Path, Response

from ttlock_bridge.access.passcode_policy import validate_code
from ttlock_bridge.access.time_window import EmptyWindow, parse_window
from ttlock_bridge.channels.rest.dependencies import RuntimeDep, require_token
from ttlock_bridge.channels.rest.errors import ERROR_RESPONSES
from ttlock_bridge.channels.rest.schemas import (
    NAME_PATTERN,
    CommandOut,
    GatewayOut,
    LockDetailOut,
    LockOut,
    LockStateOut,
    PassageModeIn,
    PassageModeOut,
    PasscodeAdded,
    PasscodeChange,
    PasscodeIn,
    PasscodeOut,
    local_iso,
)
from ttlock_bridge.cloud import LockDetail, LockSummary, PassageModeConfig
from ttlock_bridge.service.runtime import Runtime
from ttlock_bridge.store.grants import DoorRef

router = APIRouter(
    prefix="/api/v1/locks",
    tags=["locks"],
    dependencies=[Depends(require_token)],
    responses=ERROR_RESPONSES,
)

LockReference = Annotated[
    str, Path(description="The door's name (room-1) or its lockId", pattern=NAME_PATTERN)
]
PasscodeId = Annotated[int, Path(ge=1, le=2**62)]


@router.get("", summary="Every configured door with battery, gateway and last known state")
async def list_locks(runtime: RuntimeDep) -> list[LockOut]:
    summaries = await runtime.directory.summaries()
    return [
        _lock_out(runtime, door, summaries.get(door.lock_id)) for door in runtime.directory.doors()
    ]


@router.get("/{lock}", summary="A door's lock detail from TTLock, its gateways and state")
async def lock_detail(lock: LockReference, runtime: RuntimeDep) -> LockDetailOut:
    door = runtime.directory.resolve(lock)
    detail, links, gateways = await asyncio.gather(
        runtime.directory.detail(door.lock_id),
        runtime.cloud.gateways_of_lock(door.lock_id),
        _all_gateways(runtime),
    )
    return LockDetailOut(
        **_lock_out(runtime, door, detail).model_dump(exclude={"state"}),
        state=_state_out(runtime, door),
        name=detail.lock_name or None,
        mac=detail.lock_mac or None,
        model=detail.model_num,
        hardware_revision=detail.hardware_revision,
        firmware_revision=detail.firmware_revision,
        auto_lock_seconds=detail.auto_lock_time,
        passage_mode=detail.passage_mode,
        sound_volume=detail.sound_volume,
        tamper_alert=detail.tamper_alert,
        gateways=[
            GatewayOut(
                gateway_id=link.gateway_id,
                name=link.gateway_name,
                online=gateways.get(link.gateway_id),
                rssi=link.rssi,
            )
            for link in links
        ],
    )


@router.get("/{lock}/state", summary="Last known bolt and battery state (no TTLock call)")
async def lock_state(lock: LockReference, runtime: RuntimeDep) -> LockStateOut:
    return _state_out(runtime, runtime.directory.resolve(lock))


@router.post("/{lock}/unlock", summary="Open the door remotely through its gateway")
async def unlock(lock: LockReference, runtime: RuntimeDep) -> CommandOut:
    door = runtime.directory.resolve(lock)
    await runtime.commands.unlock(door)
    return CommandOut(door=door.door, lock_id=door.lock_id, done="unlocked")


@router.post("/{lock}/lock", summary="Lock the door remotely through its gateway")
async def lock_door(lock: LockReference, runtime: RuntimeDep) -> CommandOut:
    door = runtime.directory.resolve(lock)
    await runtime.commands.lock(door)
    return CommandOut(door=door.door, lock_id=door.lock_id, done="locked")


@router.get("/{lock}/passage-mode", summary="The passage-mode configuration")
async def passage_mode(lock: LockReference, runtime: RuntimeDep) -> PassageModeOut:
    door = runtime.directory.resolve(lock)
    return _passage_out(await runtime.cloud.passage_mode(door.lock_id))


@router.put("/{lock}/passage-mode", summary="Configure passage mode through the gateway")
async def set_passage_mode(
    lock: LockReference, change: PassageModeIn, runtime: RuntimeDep
) -> CommandOut:
    door = runtime.directory.resolve(lock)
    await runtime.cloud.set_passage_mode(
        door.lock_id,
        enabled=change.enabled,
        week_days=sorted(set(change.week_days)),
        start_minute=_minutes(change.start),
        end_minute=_minutes(change.end),
        auto_unlock=change.auto_unlock,
    )
    return CommandOut(door=door.door, lock_id=door.lock_id, done="configured")


@router.get("/{lock}/passcodes", summary="Passcodes on the lock (codes masked)")
async def list_passcodes(lock: LockReference, runtime: RuntimeDep) -> list[PasscodeOut]:
    door = runtime.directory.resolve(lock)
    zone = runtime.config.property.zone
    return [
        PasscodeOut(
            passcode_id=passcode.keyboard_pwd_id,
            name=passcode.keyboard_pwd_name,
            masked_code=passcode.masked_code,
            kind=passcode.keyboard_pwd_type,
            start=local_iso(passcode.start_date or None, zone),
            end=local_iso(passcode.end_date or None, zone),
        )
        async for passcode in runtime.cloud.passcodes(door.lock_id)
    ]


@router.post(
    "/{lock}/passcodes",
    status_code=201,
    summary="Add a custom passcode outside any grant (permanent without start and end)",
)
async def add_passcode(lock: LockReference, new: PasscodeIn, runtime: RuntimeDep) -> PasscodeAdded:
    door = runtime.directory.resolve(lock)
    _check_code(runtime, new.code)
    start_ms, end_ms = _window(runtime, new.start, new.end)
    passcode_id = await runtime.cloud.add_passcode(
        door.lock_id, new.code, name=new.name, start_ms=start_ms, end_ms=end_ms
    )
    return PasscodeAdded(passcode_id=passcode_id, door=door.door, lock_id=door.lock_id)


@router.patch("/{lock}/passcodes/{passcode_id}", summary="Change a passcode's code, name or dates")
async def change_passcode(
    lock: LockReference, passcode_id: PasscodeId, change: PasscodeChange, runtime: RuntimeDep
) -> PasscodeAdded:
    door = runtime.directory.resolve(lock)
    if change.code is not None:
        _check_code(runtime, change.code)
    start_ms, end_ms = _window(runtime, change.start, change.end)
    await runtime.cloud.change_passcode(
        door.lock_id,
        passcode_id,
        name=change.name,
        new_code=change.code,
        start_ms=start_ms,
        end_ms=end_ms,
    )
    return PasscodeAdded(passcode_id=passcode_id, door=door.door, lock_id=door.lock_id)


@router.delete(
    "/{lock}/passcodes/{passcode_id}", status_code=204, summary="Delete a passcode from the lock"
)
async def delete_passcode(
    lock: LockReference, passcode_id: PasscodeId, runtime: RuntimeDep
) -> Response:
    door = runtime.directory.resolve(lock)
    await runtime.cloud.delete_passcode(door.lock_id, passcode_id)
    return Response(status_code=204)


def _lock_out(runtime: Runtime, door: DoorRef, cloud: LockSummary | LockDetail | None) -> LockOut:
    return LockOut(
        door=door.door,
        lock_id=door.lock_id,
        alias=cloud.display_name if cloud else None,
        battery=_battery(runtime, door, cloud),
        has_gateway=cloud.has_gateway if cloud else None,
        state=_state_out(runtime, door),
    )


def _battery(runtime: Runtime, door: DoorRef, cloud: LockSummary | None) -> int | None:
    """The callback's reading when there is one (fresher than the cloud's stored value)."""
    reported = runtime.keeper.state(door.lock_id).battery
    if reported is not None:
        return reported
    return cloud.electric_quantity if cloud else None


def _state_out(runtime: Runtime, door: DoorRef) -> LockStateOut:
    return LockStateOut.of(runtime.keeper.state(door.lock_id), runtime.config.property.zone)


async def _all_gateways(runtime: Runtime) -> dict[int, bool | None]:
    return {gateway.gateway_id: gateway.is_online async for gateway in runtime.cloud.gateways()}


def _passage_out(config: PassageModeConfig) -> PassageModeOut:
    days = config.week_days
    if isinstance(days, str):
        days = [int(day) for day in days.strip("[]").split(",") if day.strip().isdigit()]
    return PassageModeOut(
        enabled=config.passage_mode,
        all_day=config.is_all_day,
        start=_clock(config.start_date),
        end=_clock(config.end_date),
        week_days=days or [],
        auto_unlock=config.auto_unlock,
    )


def _clock(minutes: int | None) -> str | None:
    return None if minutes is None else f"{minutes // 60:02d}:{minutes % 60:02d}"


def _minutes(clock: str | None) -> int | None:
    if clock is None:
        return None
    hours, minutes = clock.split(":")
    return int(hours) * 60 + int(minutes)


def _check_code(runtime: Runtime, code: str) -> None:
    validate_code(code, deny=runtime.config.defaults.deny_codes)


def _window(runtime: Runtime, start: str | None, end: str | None) -> tuple[int | None, int | None]:
    """Both or neither: a passcode is permanent or valid in [start, end)."""
    if start is None and end is None:
        return None, None
    if start is None or end is None:
        raise EmptyWindow("give both start and end, or neither for a permanent passcode")
    defaults = runtime.config.defaults
    window = parse_window(
        start,
        end,
        zone=runtime.config.property.zone,
        check_in=defaults.check_in,
        check_out=defaults.check_out,
        now_ms=runtime.clock(),
    )
    return window.start_ms, window.end_ms
