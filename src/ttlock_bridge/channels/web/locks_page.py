"""The locks page (`/locks`): each door's lock, battery, bolt (and who said so), gateway and
last events; an unlock button behind a confirmation when `[console] unlock` allows it."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Final

from fastapi import APIRouter, Path
from fastapi.responses import RedirectResponse
from starlette.responses import Response

from ttlock_bridge.channels.web.auth import CheckedForm, OperatorScreen, Refused
from ttlock_bridge.channels.web.desk import Desk, DeskDep
from ttlock_bridge.channels.web.errors import NotFound
from ttlock_bridge.cloud import TTLockError
from ttlock_bridge.locks.event_text import describe
from ttlock_bridge.locks.state import LockState
from ttlock_bridge.store.events import recent_events
from ttlock_bridge.store.grants import DoorRef

router = APIRouter(include_in_schema=False)
DoorName = Annotated[str, Path(pattern=r"^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$")]
EVENTS_PER_DOOR: Final = 3


@dataclass(frozen=True, slots=True)
class LastEvent:
    at_ms: int
    text: str


@dataclass(frozen=True, slots=True)
class LockRow:
    """One door on the locks page: its lock state, gateway and last events (newest first)."""

    door: str
    lock_id: int
    state: LockState
    gateway: str | None
    events: list[LastEvent]


@router.get("/locks")
async def locks_page(desk: DeskDep, screen: OperatorScreen) -> Response:
    rows = await desk.run(_rows, desk, list(desk.config.doors))
    return screen.show("locks.html", rows=rows)


@router.get("/fragments/locks/{door}")
async def lock_fragment(door: DoorName, desk: DeskDep, screen: OperatorScreen) -> Response:
    [row] = await desk.run(_rows, desk, [_door(desk, door).door])
    return screen.show("lock_row.html", row=row)


@router.get("/locks/{door}/unlock")
async def unlock_page(door: DoorName, desk: DeskDep, screen: OperatorScreen) -> Response:
    _unlock_allowed(desk)
    return screen.show("unlock.html", door=_door(desk, door).door)


@router.post("/locks/{door}/unlock")
async def unlock(
    door: DoorName, desk: DeskDep, screen: OperatorScreen, _form: CheckedForm
) -> Response:
    _unlock_allowed(desk)
    ref = _door(desk, door)
    try:
        await desk.locks.commands.unlock(ref)
    except TTLockError as error:
        await desk.record(screen.operator.operator, "unlock_failed", door=ref.door)
        return screen.show("unlock.html", door=ref.door, error=error.guidance, status_code=502)
    await desk.record(screen.operator.operator, "unlocked", door=ref.door)
    return RedirectResponse("/locks", status_code=303)


def _unlock_allowed(desk: Desk) -> None:
    if not desk.config.console.unlock:
        raise Refused("unlocking from the console is off ([console] unlock in the configuration)")


def _door(desk: Desk, name: str) -> DoorRef:
    door = desk.config.doors.get(name)
    if door is None:
        raise NotFound(f"There is no door {name!r}.")
    return DoorRef(name, door.lock_id)


def _rows(desk: Desk, doors: list[str]) -> list[LockRow]:
    """Synchronous (reads the store): run in a worker thread."""
    gateways = desk.locks.door_gateways()
    rows = []
    with desk.store.transaction() as session:
        for name in doors:
            lock_id = desk.config.doors[name].lock_id
            events = [
                LastEvent(
                    event.server_date_ms or event.lock_date_ms,
                    describe(
                        event.record_type,
                        success=event.success,
                        masked_code=event.masked_code,
                        who=event.username,
                    ),
                )
                for event in recent_events(session, lock_id=lock_id, limit=EVENTS_PER_DOOR)
            ]
            rows.append(
                LockRow(name, lock_id, desk.locks.keeper.state(lock_id), gateways.get(name), events)
            )
    return rows
