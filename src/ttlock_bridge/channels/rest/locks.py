"""`/api/v1/locks`: doors by name or lockId — state, remote commands, passage mode, passcodes."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Path, Query, Response

from ttlock_bridge.access.errors import InvalidInput
from ttlock_bridge.access.passcode_policy import ALL_KEYS, check_keypads, validate_code
from ttlock_bridge.access.text import checked_name
from ttlock_bridge.access.time_window import EmptyWindow, parse_window
from ttlock_bridge.channels.rest.dependencies import Bridge, BridgeDep, require_token
from ttlock_bridge.channels.rest.errors import ERROR_RESPONSES, BudgetSpent
from ttlock_bridge.channels.rest.schemas import (
    NAME_PATTERN,
    CommandOut,
    GatewayOut,
    LockClockOut,
    LockDetailOut,
    LockOut,
    LockStateOut,
    PassageModeIn,
    PassageModeOut,
    PasscodeAdded,
    PasscodeChange,
    PasscodeIn,
    PasscodeOut,
    QueryBool,
    local_iso,
)
from ttlock_bridge.cloud import LockDetail, LockSummary, PassageModeConfig
from ttlock_bridge.locks.directory import week_days
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
Refresh = Annotated[
    QueryBool,
    Query(
        description="Read the cloud now instead of the cache (kept up to `[cloud] "
        "detail_refresh`, default 6 h), unless it was read less than a minute ago: costs "
        "TTLock calls, so use it sparingly; refused (429) once the month's budget is spent"
    ),
]
REFRESH_AT_MOST_EVERY_S = 60.0
"""`?refresh=true` reads the cloud again only for values older than this: a dashboard that
polls with it spends one read a minute at most, not one per request."""


def _max_age_s(bridge: Bridge, refresh: bool) -> float | None:
    """How old a cached value may be for this request: None (any age) without `?refresh=true`;
    raises `BudgetSpent` when the month's budget is spent (refreshes are optional reads)."""
    if not refresh:
        return None
    if not bridge.usage.optional_reads_allowed():
        raise BudgetSpent
    return REFRESH_AT_MOST_EVERY_S


@router.get("", summary="Every configured door with battery, gateway and last known state")
async def list_locks(bridge: BridgeDep, refresh: Refresh = False) -> list[LockOut]:
    directory = bridge.locks.directory
    summaries = await directory.summaries(max_age_s=_max_age_s(bridge, refresh))
    as_of = local_iso(directory.summaries_at_ms(), bridge.config.property.zone)
    return [
        _lock_out(bridge, door, summaries.get(door.lock_id), as_of) for door in directory.doors()
    ]


@router.get("/{lock}", summary="A door's lock detail from TTLock, its gateways and state")
async def lock_detail(
    lock: LockReference, bridge: BridgeDep, refresh: Refresh = False
) -> LockDetailOut:
    directory = bridge.locks.directory
    door = directory.resolve(lock)
    max_age_s = _max_age_s(bridge, refresh)
    fetched = await directory.detail(door.lock_id, max_age_s=max_age_s)
    links = await directory.gateways_of_lock(door.lock_id, max_age_s=max_age_s)
    gateways = await directory.gateways(max_age_s=max_age_s)
    detail = fetched.value
    as_of = local_iso(fetched.at_ms, bridge.config.property.zone)
    return LockDetailOut(
        **_lock_out(bridge, door, detail, as_of).model_dump(exclude={"state"}),
        state=_state_out(bridge, door),
        name=detail.lock_name or None,
        mac=detail.lock_mac or None,
        model=detail.model_num,
        hardware_revision=detail.hardware_revision,
        firmware_revision=detail.firmware_revision,
        auto_lock_seconds=detail.auto_lock_time,
        passage_mode=detail.passage_mode,
        sound_volume=detail.sound_volume,
        tamper_alert=detail.tamper_alert,
        clock=_clock_out(bridge, door),
        gateways=[
            GatewayOut(
                gateway_id=link.gateway_id,
                name=link.gateway_name,
                online=gateway.is_online if (gateway := gateways.get(link.gateway_id)) else None,
                rssi=link.rssi,
            )
            for link in links
        ],
    )


@router.get("/{lock}/state", summary="Last known bolt and battery state (no TTLock call)")
async def lock_state(lock: LockReference, bridge: BridgeDep) -> LockStateOut:
    return _state_out(bridge, bridge.locks.directory.resolve(lock))


@router.post("/{lock}/unlock", summary="Open the door remotely through its gateway")
async def unlock(lock: LockReference, bridge: BridgeDep) -> CommandOut:
    door = bridge.locks.directory.resolve(lock)
    await bridge.locks.commands.unlock(door)
    return CommandOut(door=door.door, lock_id=door.lock_id, done="unlocked")


@router.post("/{lock}/lock", summary="Lock the door remotely through its gateway")
async def lock_door(lock: LockReference, bridge: BridgeDep) -> CommandOut:
    door = bridge.locks.directory.resolve(lock)
    await bridge.locks.commands.lock(door)
    return CommandOut(door=door.door, lock_id=door.lock_id, done="locked")


@router.get("/{lock}/passage-mode", summary="The passage-mode configuration")
async def passage_mode(
    lock: LockReference, bridge: BridgeDep, refresh: Refresh = False
) -> PassageModeOut:
    """From the cache (an hour at most, and read again after the bridge changed it), `as_of`
    saying when it was read from TTLock."""
    directory = bridge.locks.directory
    door = directory.resolve(lock)
    fetched = await directory.passage_mode(door.lock_id, max_age_s=_max_age_s(bridge, refresh))
    return _passage_out(fetched.value, local_iso(fetched.at_ms, bridge.config.property.zone))


@router.put("/{lock}/passage-mode", summary="Configure passage mode through the gateway")
async def set_passage_mode(
    lock: LockReference, change: PassageModeIn, bridge: BridgeDep
) -> CommandOut:
    door = bridge.locks.directory.resolve(lock)
    start_minute, end_minute = _passage_period(change.start, change.end)
    await bridge.cloud.set_passage_mode(
        door.lock_id,
        enabled=change.enabled,
        week_days=sorted(set(change.week_days)),
        start_minute=start_minute,
        end_minute=end_minute,
        auto_unlock=change.auto_unlock,
    )
    bridge.locks.directory.passage_mode_changed(door.lock_id, enabled=change.enabled)
    return CommandOut(door=door.door, lock_id=door.lock_id, done="configured")


@router.get("/{lock}/passcodes", summary="Passcodes on the lock (codes masked)")
async def list_passcodes(lock: LockReference, bridge: BridgeDep) -> list[PasscodeOut]:
    door = bridge.locks.directory.resolve(lock)
    zone = bridge.config.property.zone
    return [
        PasscodeOut(
            passcode_id=passcode.keyboard_pwd_id,
            name=passcode.keyboard_pwd_name,
            masked_code=passcode.masked_code,
            kind=passcode.keyboard_pwd_type,
            start=local_iso(passcode.start_date or None, zone),
            end=local_iso(passcode.end_date or None, zone),
        )
        async for passcode in bridge.cloud.passcodes(door.lock_id)
    ]


@router.post(
    "/{lock}/passcodes",
    status_code=201,
    summary="Add a custom passcode outside any grant (permanent without start and end)",
)
async def add_passcode(lock: LockReference, new: PasscodeIn, bridge: BridgeDep) -> PasscodeAdded:
    door = bridge.locks.directory.resolve(lock)
    _check_code(bridge, new.code, door.door)
    name = checked_name(new.name)
    start_ms, end_ms = _window(bridge, new.start, new.end)
    passcode_id = await bridge.cloud.add_passcode(
        door.lock_id, new.code, name=name, start_ms=start_ms, end_ms=end_ms
    )
    return PasscodeAdded(passcode_id=passcode_id, door=door.door, lock_id=door.lock_id)


@router.patch("/{lock}/passcodes/{passcode_id}", summary="Change a passcode's code, name or dates")
async def change_passcode(
    lock: LockReference, passcode_id: PasscodeId, change: PasscodeChange, bridge: BridgeDep
) -> PasscodeAdded:
    door = bridge.locks.directory.resolve(lock)
    if change.code is not None:
        _check_code(bridge, change.code, door.door)
    name = None if change.name is None else checked_name(change.name)
    start_ms, end_ms = _window(bridge, change.start, change.end)
    await bridge.cloud.change_passcode(
        door.lock_id,
        passcode_id,
        name=name,
        new_code=change.code,
        start_ms=start_ms,
        end_ms=end_ms,
    )
    return PasscodeAdded(passcode_id=passcode_id, door=door.door, lock_id=door.lock_id)


@router.delete(
    "/{lock}/passcodes/{passcode_id}", status_code=204, summary="Delete a passcode from the lock"
)
async def delete_passcode(
    lock: LockReference, passcode_id: PasscodeId, bridge: BridgeDep
) -> Response:
    door = bridge.locks.directory.resolve(lock)
    await bridge.cloud.delete_passcode(door.lock_id, passcode_id)
    return Response(status_code=204)


def _lock_out(
    bridge: Bridge, door: DoorRef, cloud: LockSummary | LockDetail | None, as_of: str | None
) -> LockOut:
    reach = bridge.locks.gateways.of(door.lock_id)
    return LockOut(
        door=door.door,
        lock_id=door.lock_id,
        alias=cloud.display_name if cloud else None,
        battery=_battery(bridge, door, cloud),
        has_gateway=cloud.has_gateway if cloud else None,
        gateway=reach.state.value if reach else None,
        gateway_at=local_iso(reach.at_ms, bridge.config.property.zone) if reach else None,
        as_of=as_of,
        state=_state_out(bridge, door),
    )


def _clock_out(bridge: Bridge, door: DoorRef) -> LockClockOut | None:
    checked = bridge.locks.clocks.of(door.lock_id)
    if checked is None:
        return None
    return LockClockOut.of(checked, bridge.config.property.zone)


def _battery(bridge: Bridge, door: DoorRef, cloud: LockSummary | None) -> int | None:
    """The callback's reading when there is one (fresher than the cloud's stored value)."""
    reported = bridge.locks.keeper.state(door.lock_id).battery
    if reported is not None:
        return reported
    return cloud.electric_quantity if cloud else None


def _state_out(bridge: Bridge, door: DoorRef) -> LockStateOut:
    return LockStateOut.of(bridge.locks.keeper.state(door.lock_id), bridge.config.property.zone)


def _passage_out(config: PassageModeConfig, as_of: str | None) -> PassageModeOut:
    return PassageModeOut(
        as_of=as_of,
        enabled=config.passage_mode,
        all_day=config.is_all_day,
        start=_clock(config.start_date),
        end=_clock(config.end_date),
        week_days=week_days(config),
        auto_unlock=config.auto_unlock,
    )


def _clock(minutes: int | None) -> str | None:
    return None if minutes is None else f"{minutes // 60:02d}:{minutes % 60:02d}"


def _passage_period(start: str | None, end: str | None) -> tuple[int | None, int | None]:
    """Minutes of the day (lock-local) of a passage-mode period: both or neither (all day).

    Raises `InvalidInput` for a start without an end (or the reverse), which would otherwise
    leave the door open all day, and for a period that does not end after it starts.
    """
    if start is None and end is None:
        return None, None
    if start is None or end is None:
        raise InvalidInput(
            "give both start and end for a passage-mode period, or neither for all day"
        )
    start_minute, end_minute = _minutes(start), _minutes(end)
    if end_minute <= start_minute:
        raise InvalidInput(
            f"the passage-mode period must end after it starts ({start}-{end}): periods run "
            "within one day, from start to a later end"
        )
    return start_minute, end_minute


def _minutes(clock: str) -> int:
    hours, minutes = clock.split(":")
    return int(hours) * 60 + int(minutes)


def _check_code(bridge: Bridge, code: str, door: str) -> None:
    """The passcode policy, and the door's keypad (`[doors.<door>] keypad`) can enter it."""
    validate_code(code, deny=bridge.config.defaults.deny_codes)
    configured = bridge.config.doors.get(door)
    check_keypads(code, {door: configured.keypad if configured else ALL_KEYS})


def _window(bridge: Bridge, start: str | None, end: str | None) -> tuple[int | None, int | None]:
    """Both or neither: a passcode is permanent or valid in [start, end)."""
    if start is None and end is None:
        return None, None
    if start is None or end is None:
        raise EmptyWindow("give both start and end, or neither for a permanent passcode")
    defaults = bridge.config.defaults
    window = parse_window(
        start,
        end,
        zone=bridge.config.property.zone,
        check_in=defaults.check_in,
        check_out=defaults.check_out,
        now_ms=bridge.clock(),
    )
    return window.start_ms, window.end_ms
