"""The problems page (`/problems`, admin): doors still pending or failed with their guidance,
the drift report, cleanup (a dry run first, then the real run) and this month's cloud usage.

Drift and cleanup ask the cloud for each lock's passcode list (calls cost quota), so they run
when the admin presses their button, never on opening the page.
"""

from __future__ import annotations

from dataclasses import dataclass

from fastapi import APIRouter
from starlette.responses import Response

from ttlock_bridge.access import CleanupReport, DriftReport, GrantView
from ttlock_bridge.channels.web.auth import Admin, CheckedForm, OperatorScreen, field
from ttlock_bridge.channels.web.desk import Desk, DeskDep
from ttlock_bridge.channels.web.render import Screen
from ttlock_bridge.cloud import TTLockError

router = APIRouter(include_in_schema=False)
WAITING = ("pending", "failed", "removing")


@dataclass(frozen=True, slots=True)
class Stuck:
    """A door of a grant that is not where it should be yet."""

    grant: GrantView
    door: str
    status: str
    error: str | None
    guidance: str | None
    next_attempt_ms: int | None


@router.get("/problems")
async def problems_page(desk: DeskDep, screen: OperatorScreen, _admin: Admin) -> Response:
    return await _page(screen, desk)


@router.post("/problems/drift")
async def drift(
    desk: DeskDep, screen: OperatorScreen, _admin: Admin, _form: CheckedForm
) -> Response:
    try:
        report = await desk.access.cleanup.drift()
    except TTLockError as error:
        return await _page(screen, desk, error=error.guidance)
    detail = f"{len(report.unknown_on_locks)} unknown, {len(report.missing_from_locks)} missing"
    await desk.record(screen.operator.operator, "drift_checked", detail=detail)
    return await _page(screen, desk, drift=report)


@router.post("/problems/cleanup")
async def cleanup(
    desk: DeskDep, screen: OperatorScreen, _admin: Admin, form: CheckedForm
) -> Response:
    """`run=yes` deletes; anything else is the dry run that shows what would be deleted."""
    dry_run = field(form, "run") != "yes"
    try:
        report = await desk.access.cleanup.run(dry_run=dry_run)
    except TTLockError as error:
        return await _page(screen, desk, error=error.guidance)
    if not dry_run:
        detail = f"{len(report.items)} passcode(s)"
        await desk.record(screen.operator.operator, "cleanup", detail=detail)
    return await _page(screen, desk, cleanup=report)


async def _page(
    screen: Screen,
    desk: Desk,
    *,
    drift: DriftReport | None = None,
    cleanup: CleanupReport | None = None,
    error: str | None = None,
) -> Response:
    grants = await desk.access.grants.find(include_inactive=True)
    stuck = [
        Stuck(grant, door.door, door.status, door.error, door.guidance, door.next_attempt_ms)
        for grant in grants
        for door in grant.doors
        if door.status in WAITING
    ]
    usage = await desk.usage.usage()
    return screen.show(
        "problems.html",
        stuck=stuck,
        drift=drift,
        cleanup=cleanup,
        error=error,
        budget=desk.usage.budget(),
        month_calls=sorted(usage.this_month.items(), key=lambda item: -item[1]),
        journal=await desk.run(desk.journal.read, limit=20),
    )
