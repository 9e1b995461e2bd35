"""The Docker bridge's routes, so existing Home Assistant `rest` sensors keep working:
`GET /{lockId}` (detail with its attribute names) and `POST /{lockId}/unlock`, both with the
token. `GET /{lockId}/unlock` only when `[server] compat_get_unlock = true`."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Path
from pydantic import BaseModel

from ttlock_bridge.channels.rest.dependencies import BridgeDep, require_token
from ttlock_bridge.channels.rest.errors import ERROR_RESPONSES

LockId = Annotated[int, Path(ge=1, description="The lock's TTLock lockId")]


class CompatDetail(BaseModel):
    """TTLock's own names and values (flags: 1 on, 2 off, 0 unknown; `autoLockTime` null when
    the lock does not report it), as the old bridge had. `electricQuantity` is the newest
    battery reading of any source and `electricQuantityUpdateDate` when it was read (UTC epoch
    ms, TTLock's name from lock/list, reference §5.1; null when only the detail gave a level)."""

    lockId: int
    lockAlias: str
    autoLockTime: int | None
    electricQuantity: int | None
    electricQuantityUpdateDate: int | None
    firmwareRevision: str | None
    hardwareRevision: str | None
    modelNum: str | None
    passageMode: int
    passageModeAutoUnlock: int
    soundVolume: int | None
    tamperAlert: int


class CompatUnlocked(BaseModel):
    errcode: int
    errmsg: str


def compat_router(*, get_unlock: bool) -> APIRouter:
    router = APIRouter(
        tags=["compatibility"], dependencies=[Depends(require_token)], responses=ERROR_RESPONSES
    )

    @router.get("/{lock_id:int}", summary="Lock detail with the Docker bridge's attribute names")
    async def detail(lock_id: LockId, bridge: BridgeDep) -> CompatDetail:
        door = bridge.locks.directory.resolve(str(lock_id))
        found = (await bridge.locks.directory.detail(door.lock_id)).value
        state = bridge.locks.keeper.state(door.lock_id)  # the newest battery of any source
        return CompatDetail(
            lockId=found.lock_id,
            lockAlias=found.display_name,
            autoLockTime=found.auto_lock_time,
            electricQuantity=found.electric_quantity if state.battery is None else state.battery,
            electricQuantityUpdateDate=None if state.battery is None else state.battery_at_ms,
            firmwareRevision=found.firmware_revision,
            hardwareRevision=found.hardware_revision,
            modelNum=found.model_num,
            passageMode=_flag(found.passage_mode),
            passageModeAutoUnlock=_flag(found.passage_mode_auto_unlock),
            soundVolume=found.sound_volume,
            tamperAlert=_flag(found.tamper_alert),
        )

    async def unlock(lock_id: LockId, bridge: BridgeDep) -> CompatUnlocked:
        await bridge.locks.commands.unlock(bridge.locks.directory.resolve(str(lock_id)))
        return CompatUnlocked(errcode=0, errmsg="none error message or means yes")

    methods = ["POST", "GET"] if get_unlock else ["POST"]
    router.add_api_route(
        "/{lock_id:int}/unlock",
        unlock,
        methods=methods,
        summary="Open the door (GET only if compat_get_unlock is enabled)",
    )
    return router


def _flag(value: bool | None) -> int:
    """Back to TTLock's convention: 1 on, 2 off, 0 unknown."""
    return 0 if value is None else 1 if value else 2
