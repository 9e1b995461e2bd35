"""Placements: the ledger of what each lock should hold and what the cloud confirmed."""

from __future__ import annotations

from collections.abc import Collection, Iterable

from sqlalchemy import select
from sqlalchemy.orm import Session

from ttlock_bridge.store.models import Desired, Grant, Placement, PlacementKind, PlacementStatus


def add_placement(
    session: Session,
    grant: Grant,
    *,
    door: str,
    lock_id: int,
    now_ms: int,
    offline_reason: str | None = None,
) -> Placement:
    """Write the intent to place `grant`'s passcode on a lock, before any cloud call; with
    `offline_reason`, an offline code (the reason says why)."""
    placement = Placement(
        grant=grant,
        door=door,
        lock_id=lock_id,
        kind=PlacementKind.CUSTOM if offline_reason is None else PlacementKind.OFFLINE,
        kind_reason=offline_reason,
        desired=Desired.PRESENT,
        status=PlacementStatus.INTENT,
        attempts=0,
        updated_at_ms=now_ms,
    )
    session.add(placement)
    session.flush()
    return placement


def get_placement(session: Session, placement_id: int) -> Placement | None:
    return session.get(Placement, placement_id)


def list_placements(
    session: Session,
    *,
    lock_ids: Iterable[int] | None = None,
    statuses: Collection[PlacementStatus] | None = None,
) -> list[Placement]:
    """Placements in ledger order, optionally only on some locks or in some statuses."""
    query = select(Placement).order_by(Placement.id)
    if lock_ids is not None:
        query = query.where(Placement.lock_id.in_(list(lock_ids)))
    if statuses is not None:
        query = query.where(Placement.status.in_(list(statuses)))
    return list(session.scalars(query))


def codes_held_on(
    session: Session, lock_ids: Iterable[int], *, except_grant: int | None = None
) -> set[str]:
    """Codes our ledger has placed, or intends to place, on these locks and not yet deleted;
    `except_grant` leaves out one grant's own codes (when that grant changes its code)."""
    locks = list(lock_ids)
    query = (
        select(Grant.code)
        .join(Placement, Placement.grant_id == Grant.id)
        .where(Placement.lock_id.in_(locks))
        .where(Placement.status != PlacementStatus.DELETED)
        .distinct()
    )
    applied = (
        select(Placement.applied_code)
        .where(Placement.lock_id.in_(locks))
        .where(Placement.status != PlacementStatus.DELETED)
        .where(Placement.applied_code.is_not(None))
        .distinct()
    )
    if except_grant is not None:
        query = query.where(Placement.grant_id != except_grant)
        applied = applied.where(Placement.grant_id != except_grant)
    return set(session.scalars(query)) | {code for code in session.scalars(applied) if code}
