"""What people and channels see of a grant: its window in local time and each door's status."""

from __future__ import annotations

from dataclasses import dataclass
from zoneinfo import ZoneInfo

from ttlock_bridge.access.ledger import held_by, passcode_for
from ttlock_bridge.access.time_window import format_local
from ttlock_bridge.store import Desired, Grant, GrantState, Placement, PlacementStatus


@dataclass(frozen=True, slots=True)
class DoorStatus:
    """One door of a grant: `active`, `pending` (retrying), `failed` (a person must act),
    `removing` or `removed`. Errors and guidance say why, `next_attempt_ms` when it retries."""

    door: str
    lock_id: int
    status: str
    errcode: int | None
    error: str | None
    guidance: str | None
    next_attempt_ms: int | None


@dataclass(frozen=True, slots=True)
class GrantView:
    """A grant as reported to its caller; `code` is the full passcode the caller issued.
    `updated_at_ms` (UTC ms) is when its dates, name, code or state last changed, and grows
    with every such change: its version (`GrantService.modify(expected_updated_ms=...)`)."""

    id: int
    tag: str
    name: str
    room: str | None
    code: str
    start_ms: int
    end_ms: int
    start_local: str
    end_local: str
    state: str
    doors: list[DoorStatus]
    updated_at_ms: int

    @property
    def summary(self) -> str:
        """The least advanced door status: a grant is only `active` when every door is."""
        for status in ("failed", "pending", "removing", "active"):
            if any(door.status == status for door in self.doors):
                return status
        return "removed"


def grant_view(grant: Grant, zone: ZoneInfo, now_ms: int) -> GrantView:
    if grant.state is GrantState.CANCELLED:
        state = "cancelled"
    elif grant.end_ms <= now_ms:
        state = "ended"
    else:
        state = "active"
    return GrantView(
        id=grant.id,
        tag=grant.tag,
        name=grant.name,
        room=grant.room,
        code=grant.code,
        start_ms=grant.start_ms,
        end_ms=grant.end_ms,
        start_local=format_local(grant.start_ms, zone),
        end_local=format_local(grant.end_ms, zone),
        state=state,
        doors=[door_status(placement, zone) for placement in grant.placements],
        updated_at_ms=grant.updated_at_ms,
    )


def door_status(placement: Placement, zone: ZoneInfo) -> DoorStatus:
    return DoorStatus(
        door=placement.door,
        lock_id=placement.lock_id,
        status=_status_word(placement, zone),
        errcode=placement.last_errcode,
        error=placement.last_error,
        guidance=placement.guidance,
        next_attempt_ms=placement.next_attempt_at_ms,
    )


def _status_word(placement: Placement, zone: ZoneInfo) -> str:
    removing = placement.desired is Desired.ABSENT or placement.grant.state is GrantState.CANCELLED
    if removing:
        return "removed" if placement.status is PlacementStatus.DELETED else "removing"
    if placement.status is PlacementStatus.FAILED:
        return "failed"
    held = held_by(placement)
    if held is not None and held.passcode == passcode_for(placement.grant, zone):
        return "active"
    return "pending"
