"""A grant's page (`/grants/{id}`): dates, name, masked code with reveal, each door's status,
its history; change dates, name or code; cancel behind a confirmation."""

from __future__ import annotations

from typing import Annotated, Final

from fastapi import APIRouter, Path
from fastapi.responses import RedirectResponse
from starlette.responses import Response

from ttlock_bridge.access import GrantChanges, GrantView
from ttlock_bridge.access.errors import (
    AccessError,
    GrantChangedMeanwhile,
    GrantClosed,
    GrantNotFound,
)
from ttlock_bridge.access.time_window import format_local
from ttlock_bridge.channels.web.auth import CheckedForm, OperatorScreen, Refused, field
from ttlock_bridge.channels.web.cards import door_chips
from ttlock_bridge.channels.web.desk import Desk, DeskDep
from ttlock_bridge.channels.web.errors import NotFound
from ttlock_bridge.channels.web.fields import GENERAL, FieldErrors, field_of, read_ends
from ttlock_bridge.channels.web.history import grant_history
from ttlock_bridge.channels.web.render import Screen

router = APIRouter(include_in_schema=False)
GrantId = Annotated[int, Path(ge=1, le=2**31)]
CHANGES: Final = ("modified", "cancelled")
"""The journal's actions that change a grant's version."""


@router.get("/grants/{grant_id}")
async def grant_page(grant_id: GrantId, desk: DeskDep, screen: OperatorScreen) -> Response:
    view = await _grant(desk, grant_id)
    return await _page(screen, desk, view, _values(view), {})


@router.post("/grants/{grant_id}/reveal")
async def reveal(
    grant_id: GrantId, desk: DeskDep, screen: OperatorScreen, _form: CheckedForm
) -> Response:
    """Show the full code of a current grant; recorded as `revealed_code`."""
    view = await _grant(desk, grant_id)
    if view.state != "active":
        raise Refused("only the code of a current grant can be revealed")
    await desk.record(screen.operator.operator, "revealed_code", grant_id=view.id)
    return await _page(screen, desk, view, _values(view), {}, revealed=True)


@router.post("/grants/{grant_id}")
async def modify(
    grant_id: GrantId, desk: DeskDep, screen: OperatorScreen, form: CheckedForm
) -> Response:
    """Change what the form changed (dates, name, a typed new code); errors next to fields.

    The form carries the version of the grant it was made on (`version`: its
    `updated_at_ms`); when the grant changed since (another tab, another operator, the API),
    nothing is written and the page shows the grant as it is now (409)."""
    view = await _grant(desk, grant_id)
    values = {name: field(form, name) for name in _values(view)}
    errors: FieldErrors = {}
    start, end = read_ends(form, desk.config.property.timezone, errors)
    if errors:
        return await _page(screen, desk, view, values, errors)
    version = field(form, "version")
    expected = int(version) if version.isdigit() and len(version) < 19 else None
    before = _values(view)
    changes = GrantChanges(
        start=start if _changed(values, before, "arrival") else None,
        end=end if _changed(values, before, "departure") else None,
        name=values["name"] if values["name"] != before["name"] else None,
        code=values["code"] or None,
    )
    try:
        changed = await desk.access.grants.modify(grant_id, changes, expected_updated_ms=expected)
    except GrantChangedMeanwhile:
        now = await _grant(desk, grant_id)
        errors[GENERAL] = await _changed_meanwhile(desk, now)
        return await _page(screen, desk, now, _values(now), errors, status_code=409)
    except GrantClosed as error:
        errors[GENERAL] = f"Nothing was changed: {error}."
        return await _page(screen, desk, view, values, errors, status_code=409)
    except AccessError as error:
        errors[field_of(error)] = str(error)
        return await _page(screen, desk, view, values, errors)
    what = [
        f"{label} {value}"
        for label, value in (
            ("arrival", changes.start and changed.start_local),
            ("departure", changes.end and changed.end_local),
            ("name", changes.name),
        )
        if value
    ] + (["new code"] if changes.code else [])
    if what:
        detail = ", ".join(what)
        await desk.record(screen.operator.operator, "modified", grant_id=grant_id, detail=detail)
    return RedirectResponse(f"/grants/{grant_id}", status_code=303)


@router.post("/grants/{grant_id}/retry")
async def retry(
    grant_id: GrantId, desk: DeskDep, screen: OperatorScreen, _form: CheckedForm
) -> Response:
    """Try the doors that wait (pending or failed) now, e.g. once their gateway is back: a
    change that changes nothing, which the access core answers by retrying those doors."""
    await _grant(desk, grant_id)
    try:
        await desk.access.grants.modify(grant_id, GrantChanges())
    except AccessError as error:
        raise Refused(str(error)) from None
    await desk.record(screen.operator.operator, "retried", grant_id=grant_id)
    return RedirectResponse(f"/grants/{grant_id}", status_code=303)


@router.get("/grants/{grant_id}/cancel")
async def cancel_page(grant_id: GrantId, desk: DeskDep, screen: OperatorScreen) -> Response:
    return screen.show("cancel.html", grant=await _grant(desk, grant_id))


@router.post("/grants/{grant_id}/cancel")
async def cancel(
    grant_id: GrantId, desk: DeskDep, screen: OperatorScreen, _form: CheckedForm
) -> Response:
    await _grant(desk, grant_id)
    cancellation = await desk.access.grants.cancel(grant_id)
    if cancellation.changed:  # a second press, or another tab's, changes nothing: no record
        await desk.record(screen.operator.operator, "cancelled", grant_id=grant_id)
    return RedirectResponse(f"/grants/{grant_id}", status_code=303)


@router.get("/fragments/grants/{grant_id}/doors")
async def doors_fragment(grant_id: GrantId, desk: DeskDep, screen: OperatorScreen) -> Response:
    view = await _grant(desk, grant_id)
    chips = door_chips(desk, [door.door for door in view.doors], view)
    return screen.show("grant_doors.html", grant=view, chips=chips)


async def _grant(desk: Desk, grant_id: int) -> GrantView:
    try:
        return await desk.access.grants.get(grant_id)
    except GrantNotFound:
        raise NotFound(f"There is no grant {grant_id}.") from None


def _values(view: GrantView) -> dict[str, str]:
    """The form's fields as the grant stands (the code field starts empty: keep it)."""
    arrival_date, arrival_time = view.start_local.split(" ")
    departure_date, departure_time = view.end_local.split(" ")
    return {
        "arrival_date": arrival_date,
        "arrival_time": arrival_time,
        "departure_date": departure_date,
        "departure_time": departure_time,
        "name": view.name,
        "code": "",
    }


async def _changed_meanwhile(desk: Desk, view: GrantView) -> str:
    """Words for a form made on an older version of `view`: when it changed, and who did it
    when an operator's change in the journal is that change (else it came from elsewhere:
    the API, a panel, the bookings feed, the reconciler drawing a new code)."""
    when = format_local(view.updated_at_ms, desk.config.property.zone)
    actions = await desk.run(desk.journal.read, grant_id=view.id, limit=5)
    who = next(
        (
            action.operator
            for action in actions
            if action.action in CHANGES and action.at_ms >= view.updated_at_ms
        ),
        None,
    )
    by = f"by {who} at {when}" if who else f"at {when}"
    return f"This grant was changed meanwhile ({by}); here it is now — make your change again."


def _changed(values: dict[str, str], before: dict[str, str], end: str) -> bool:
    return any(values[f"{end}_{part}"] != before[f"{end}_{part}"] for part in ("date", "time"))


async def _page(
    screen: Screen,
    desk: Desk,
    view: GrantView,
    values: dict[str, str],
    errors: FieldErrors,
    *,
    revealed: bool = False,
    status_code: int = 422,
) -> Response:
    """The grant page; with `errors` it answers `status_code` and says nothing was changed."""
    history = await desk.run(grant_history, desk.store, desk.journal, view, desk.door_names())
    return screen.show(
        "grant.html",
        grant=view,
        chips=door_chips(desk, [door.door for door in view.doors], view),
        history=history,
        values=values,
        errors=errors,
        general=errors.get(GENERAL),
        revealed=revealed,
        status_code=status_code if errors else 200,
    )
