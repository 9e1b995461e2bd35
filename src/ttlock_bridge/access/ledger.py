"""The reconciler's reads and writes of the ledger, each one short transaction.

Functions take a SQLAlchemy session and are synchronous; the reconciler runs them in a worker
thread. They translate between ledger rows and the planner's views, and record outcomes
exactly as DESIGN.md invariant 1 asks: intent before the cloud call, confirmation right after.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session, aliased

from ttlock_bridge.access.passcode_tag import format_name
from ttlock_bridge.access.planner import Held, Passcode, PlacementView, covers
from ttlock_bridge.access.time_window import Window, whole_hours, window_label
from ttlock_bridge.store import (
    Desired,
    Grant,
    GrantState,
    Placement,
    PlacementKind,
    PlacementStatus,
)


@dataclass(frozen=True, slots=True)
class Work:
    """One placement as the reconciler acts on it."""

    placement_id: int
    grant_id: int
    grant_tag: str
    code_generated: bool
    door: str
    lock_id: int
    view: PlacementView
    waiting_since_ms: int
    """When the grant was made (UTC epoch ms): the offline fallback counts from there."""
    starts_ms: int
    kind_reason: str | None
    """Why the placement is offline (or, online, that its fallback failed)."""


@dataclass(frozen=True, slots=True)
class Failure:
    """How a failed step is remembered: what went wrong, and when to look again."""

    errcode: int | None
    error: str
    guidance: str
    in_doubt: bool
    stalled: bool
    next_attempt_ms: int | None


def passcode_for(grant: Grant, zone: ZoneInfo) -> Passcode:
    """What every lock of `grant` should hold: its code, window and tagged name."""
    label = window_label(Window(grant.start_ms, grant.end_ms), zone)
    return Passcode(
        code=grant.code,
        start_ms=grant.start_ms,
        end_ms=grant.end_ms,
        name=format_name(f"{grant.name} {label}", grant.tag),
    )


def wanted_of(placement: Placement, zone: ZoneInfo) -> Passcode:
    """What the placement's lock should hold while its grant wants it: the grant's passcode,
    or for an offline placement its whole-hour window (the code is the cloud's)."""
    wanted = passcode_for(placement.grant, zone)
    if placement.kind is PlacementKind.OFFLINE:
        hours = whole_hours(Window(wanted.start_ms, wanted.end_ms))
        return Passcode(code="", start_ms=hours.start_ms, end_ms=hours.end_ms, name=wanted.name)
    return wanted


def serves(placement: Placement, held: Held, zone: ZoneInfo) -> bool:
    """Whether `held` is what the placement's lock should hold (`wanted_of`)."""
    wanted = wanted_of(placement, zone)
    if placement.kind is PlacementKind.OFFLINE:
        return covers(held.passcode, wanted)
    return held.passcode == wanted


def held_by(placement: Placement) -> Held | None:
    """What the cloud last confirmed this placement's lock holds, if anything."""
    if placement.status is PlacementStatus.DELETED or placement.keyboard_pwd_id is None:
        return None
    if placement.applied_code is None:
        return None
    return Held(
        placement.keyboard_pwd_id,
        Passcode(
            code=placement.applied_code,
            start_ms=placement.applied_start_ms or 0,
            end_ms=placement.applied_end_ms or 0,
            name=placement.applied_name or "",
        ),
    )


def view_of(placement: Placement, zone: ZoneInfo) -> PlacementView:
    grant = placement.grant
    wanted_present = placement.desired is Desired.PRESENT and grant.state is GrantState.ACTIVE
    return PlacementView(
        wanted=wanted_of(placement, zone) if wanted_present else None,
        held=held_by(placement),
        in_doubt=placement.status is PlacementStatus.INTENT and placement.attempts > 0,
        stalled=placement.status is PlacementStatus.FAILED,
        next_attempt_ms=placement.next_attempt_at_ms,
        offline=placement.kind is PlacementKind.OFFLINE,
    )


def grants_with_work(session: Session, grant_ids: Collection[int] | None = None) -> list[int]:
    """Grants with at least one placement the reconciler may have to move."""
    query = (
        select(Placement.grant_id)
        .where(
            or_(
                Placement.status.in_([PlacementStatus.INTENT, PlacementStatus.PENDING]),
                (Placement.desired == Desired.ABSENT)
                & (Placement.status != PlacementStatus.DELETED),
            )
        )
        .distinct()
        .order_by(Placement.grant_id)
    )
    if grant_ids is not None:
        query = query.where(Placement.grant_id.in_(list(grant_ids)))
    return list(session.scalars(query))


def placement_ids_of(session: Session, grant_id: int) -> list[int]:
    """The grant's placements, busiest lock first (a shared entrance before a room door).

    The busiest lock is the bottleneck: a grant that queues there first keeps that lock's
    command pipeline full while its quieter doors are served in the gaps.
    """
    others = aliased(Placement)
    load = (
        select(func.count(others.id))
        .where(others.lock_id == Placement.lock_id, others.status != PlacementStatus.DELETED)
        .scalar_subquery()
    )
    query = (
        select(Placement.id)
        .where(Placement.grant_id == grant_id)
        .order_by(load.desc(), Placement.id)
    )
    return list(session.scalars(query))


def load_work(session: Session, placement_id: int, zone: ZoneInfo) -> Work | None:
    placement = session.get(Placement, placement_id)
    if placement is None:
        return None
    return Work(
        placement_id=placement.id,
        grant_id=placement.grant_id,
        grant_tag=placement.grant.tag,
        code_generated=placement.grant.code_generated,
        door=placement.door,
        lock_id=placement.lock_id,
        view=view_of(placement, zone),
        waiting_since_ms=placement.grant.created_at_ms,
        starts_ms=placement.grant.start_ms,
        kind_reason=placement.kind_reason,
    )


def begin_attempt(session: Session, placement_id: int, now_ms: int) -> None:
    """Intent: from here until `settle`, the lock may or may not have been changed."""
    placement = _placement(session, placement_id)
    placement.status = PlacementStatus.INTENT
    placement.attempts += 1
    placement.updated_at_ms = now_ms


def settle(
    session: Session, placement_id: int, held: Held | None, now_ms: int, zone: ZoneInfo
) -> None:
    """The cloud confirmed what the lock holds (`held`, or nothing): record it and its meaning."""
    placement = _placement(session, placement_id)
    if held is None:
        placement.applied_code = placement.applied_start_ms = placement.applied_end_ms = None
        placement.applied_name = None
    else:
        placement.keyboard_pwd_id = held.keyboard_pwd_id
        placement.applied_code = held.passcode.code
        placement.applied_start_ms = held.passcode.start_ms
        placement.applied_end_ms = held.passcode.end_ms
        placement.applied_name = held.passcode.name
    wanted = view_of(placement, zone).wanted
    if wanted is None:
        done = held is None
        placement.status = PlacementStatus.DELETED if done else PlacementStatus.PENDING
    else:
        done = held is not None and serves(placement, held, zone)
        placement.status = PlacementStatus.ACTIVE if done else PlacementStatus.PENDING
    placement.attempts = 0
    placement.next_attempt_at_ms = None
    placement.last_errcode = placement.last_error = placement.guidance = None
    placement.updated_at_ms = now_ms


def record_failure(session: Session, placement_id: int, failure: Failure, now_ms: int) -> None:
    placement = _placement(session, placement_id)
    if failure.in_doubt:
        placement.status = PlacementStatus.INTENT
    elif failure.stalled:
        placement.status = PlacementStatus.FAILED
    else:
        placement.status = PlacementStatus.PENDING
    placement.last_errcode = failure.errcode
    placement.last_error = failure.error
    placement.guidance = failure.guidance
    placement.next_attempt_at_ms = failure.next_attempt_ms
    placement.updated_at_ms = now_ms


def go_offline(session: Session, placement_id: int, reason: str, now_ms: int) -> None:
    """The placement's door gets an offline code instead of the grant's (`reason` says why):
    nothing of the online code reached its lock (the caller checked), so it starts afresh."""
    _start_afresh(_placement(session, placement_id), PlacementKind.OFFLINE, reason, now_ms)


def back_online(session: Session, placement_id: int, reason: str, now_ms: int) -> None:
    """An offline fallback that could not get a code: the door waits for its gateway again, an
    online code as before (`reason` says why; it does not fall back again)."""
    _start_afresh(_placement(session, placement_id), PlacementKind.CUSTOM, reason, now_ms)


def _start_afresh(placement: Placement, kind: PlacementKind, reason: str, now_ms: int) -> None:
    placement.kind = kind
    placement.kind_reason = reason
    placement.status = PlacementStatus.PENDING
    placement.attempts = 0
    placement.next_attempt_at_ms = None
    placement.last_errcode = placement.last_error = placement.guidance = None
    placement.updated_at_ms = now_ms


def expire(session: Session, placement_id: int, until_ms: int, guidance: str, now_ms: int) -> None:
    """An offline code withdrawn before its end stays valid on the lock until `until_ms`; its
    cloud record is deleted then (the reconciler looks again at that time)."""
    placement = _placement(session, placement_id)
    placement.status = PlacementStatus.EXPIRING
    placement.attempts = 0
    placement.next_attempt_at_ms = until_ms
    placement.guidance = guidance
    placement.updated_at_ms = now_ms


def others_may_hold(session: Session, placement_id: int) -> bool:
    """Whether another lock of this placement's grant holds, or may hold, the grant's code."""
    placement = _placement(session, placement_id)
    return any(
        held_by(other) is not None
        or (other.status is PlacementStatus.INTENT and other.attempts > 0)
        for other in placement.grant.placements
        if other.id != placement_id
    )


def mark_changed(grant: Grant, now_ms: int) -> None:
    """The grant's dates, name, code or state changed now: its `updated_at_ms` (its version)
    moves to `now_ms`, and at least one millisecond on, so that every change is a new one."""
    grant.updated_at_ms = max(now_ms, grant.updated_at_ms + 1)


def replace_code(session: Session, grant_id: int, code: str, now_ms: int) -> None:
    """Give the grant a new generated code; every placement must place it afresh."""
    grant = session.get_one(Grant, grant_id)
    grant.code = code
    mark_changed(grant, now_ms)
    for placement in grant.placements:
        if placement.kind is PlacementKind.OFFLINE:
            continue  # its code is the cloud's, not the grant's
        if placement.status is not PlacementStatus.DELETED:
            placement.status = PlacementStatus.PENDING
            placement.next_attempt_at_ms = None


def wake_door(session: Session, lock_id: int, *, revive_errcode: int) -> list[int]:
    """Make every placement on `lock_id` that waits for its next try due now, and the failed
    ones whose last error was `revive_errcode` pending again; returns their grants (ids)."""
    query = select(Placement).where(
        Placement.lock_id == lock_id,
        or_(
            Placement.status.in_([PlacementStatus.INTENT, PlacementStatus.PENDING])
            & Placement.next_attempt_at_ms.is_not(None),
            (Placement.status == PlacementStatus.FAILED)
            & (Placement.last_errcode == revive_errcode),
        ),
    )
    woken = list(session.scalars(query))
    for placement in woken:
        if placement.status is PlacementStatus.FAILED:
            placement.status = PlacementStatus.PENDING
        placement.next_attempt_at_ms = None
    return sorted({placement.grant_id for placement in woken})


def lock_ids_of(session: Session, grant_id: int) -> list[int]:
    query = select(Placement.lock_id).where(Placement.grant_id == grant_id).order_by(Placement.id)
    return list(session.scalars(query))


def attempts_of(session: Session, placement_id: int) -> int:
    return _placement(session, placement_id).attempts


def _placement(session: Session, placement_id: int) -> Placement:
    return session.get_one(Placement, placement_id)
