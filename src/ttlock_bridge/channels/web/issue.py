"""Issue a code (`/issue`): room, arrival and departure in property time, guest name, a
generated or typed code; the answer is the result page with the code and each door's status."""

from __future__ import annotations

import secrets
from datetime import timedelta
from typing import Annotated

from fastapi import APIRouter, Query
from fastapi.responses import PlainTextResponse
from starlette.datastructures import FormData
from starlette.responses import Response

from ttlock_bridge.access import GrantRequest, GrantView
from ttlock_bridge.access.errors import AccessError
from ttlock_bridge.access.time_window import from_utc_ms
from ttlock_bridge.channels.web.auth import CheckedForm, OperatorScreen, field
from ttlock_bridge.channels.web.cards import door_chips
from ttlock_bridge.channels.web.desk import Desk, DeskDep
from ttlock_bridge.channels.web.fields import GENERAL, FieldErrors, field_of, read_ends
from ttlock_bridge.channels.web.render import Screen
from ttlock_bridge.store.grants import DoorRef

router = APIRouter(include_in_schema=False)

FIELDS = (
    "room",
    "arrival_date",
    "arrival_time",
    "departure_date",
    "departure_time",
    "name",
    "code",
)


@router.get("/issue")
async def issue_page(
    desk: DeskDep,
    screen: OperatorScreen,
    room: Annotated[str | None, Query(max_length=64)] = None,
) -> Response:
    defaults = desk.config.defaults
    today = from_utc_ms(desk.clock(), desk.config.property.zone).date()
    values = {
        "room": room if room in desk.config.rooms else "",
        "arrival_date": today.isoformat(),
        "arrival_time": defaults.check_in.strftime("%H:%M"),
        "departure_date": (today + timedelta(days=1)).isoformat(),
        "departure_time": defaults.check_out.strftime("%H:%M"),
        "name": "",
        "code": "",
    }
    return _form(screen, desk, values, {})


@router.post("/issue")
async def issue(desk: DeskDep, screen: OperatorScreen, form: CheckedForm) -> Response:
    values = {name: field(form, name) for name in FIELDS}
    doors = chosen_doors(form)
    errors: FieldErrors = {}
    room = values["room"]
    if doors and room:
        errors["room"] = "choose a room or doors, not both"
    elif not doors and room not in desk.config.rooms:
        errors["room"] = "choose a room (or doors)"
    start, end = read_ends(form, desk.config.property.timezone, errors)
    if errors:
        return _form(screen, desk, values, errors, doors)
    grant_request = GrantRequest(
        start=start,
        end=end,
        room=None if doors else room,
        doors=doors or None,
        name=values["name"] or None,
        code=values["code"] or None,
    )
    request_id = field(form, "request_id")
    try:
        view = await desk.access.grants.create(
            grant_request, idempotency_key=f"console:{request_id}" if request_id else None
        )
    except AccessError as error:
        errors[field_of(error)] = str(error)
        return _form(screen, desk, values, errors, doors)
    how = "typed" if values["code"] else "generated"
    where = room or ", ".join(doors)
    detail = f"{where}: {view.start_local} to {view.end_local}, {how} code"
    await desk.record(screen.operator.operator, "issued", grant_id=view.id, detail=detail)
    return issued_page(screen, desk, view)


@router.post("/issue/check-code")
async def check_code(desk: DeskDep, form: CheckedForm) -> PlainTextResponse:
    """The access core's word on a typed code for the doors of the chosen room (or the ticked
    doors; every door before either is chosen): the passcode policy, the keypads, and another
    grant's code on one of those doors."""
    code, room = field(form, "code"), desk.config.rooms.get(field(form, "room"))
    doors = chosen_doors(form) or (room.all_doors if room else tuple(desk.config.doors))
    refs = [
        DoorRef(door, desk.config.doors[door].lock_id)
        for door in doors
        if door in desk.config.doors
    ]
    try:
        await desk.access.grants.check_code(code, refs)
    except AccessError as error:
        return PlainTextResponse(f"Not usable: {error}")
    return PlainTextResponse("This code can be used.")


def issued_page(screen: Screen, desk: Desk, view: GrantView) -> Response:
    """The result: the code large, each door's status (live), a copy button, a guest card."""
    chips = door_chips(desk, [door.door for door in view.doors], view)
    return screen.show("issued.html", grant=view, chips=chips)


def chosen_doors(form: FormData) -> list[str]:
    """The doors ticked instead of a room (names as sent; the access core checks them)."""
    return [door for door in form.getlist("doors") if isinstance(door, str) and door][:64]


def _form(
    screen: Screen,
    desk: Desk,
    values: dict[str, str],
    errors: FieldErrors,
    doors: list[str] | None = None,
) -> Response:
    """The form with `values` (and ticked `doors`); with `errors` it answers 422 and says
    nothing was issued."""
    return screen.show(
        "issue.html",
        rooms=list(desk.config.rooms),
        all_doors=list(desk.config.doors),
        chosen=doors or [],
        values=values,
        errors=errors,
        general=errors.get(GENERAL),
        request_id=secrets.token_urlsafe(16),
        code_length=desk.config.defaults.code_length,
        status_code=422 if errors else 200,
    )
