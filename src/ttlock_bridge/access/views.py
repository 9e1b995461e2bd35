"""What people and channels see of a grant: its window in local time and each door's status,
code and kind (docs/grants.md "Two kinds of code": an offline door has its own code and whole
hours)."""

from __future__ import annotations

from dataclasses import dataclass
from zoneinfo import ZoneInfo

from ttlock_bridge.access.ledger import held_by, serves, wanted_of
from ttlock_bridge.access.time_window import format_local
from ttlock_bridge.store import (
    Desired,
    Grant,
    GrantState,
    Placement,
    PlacementKind,
    PlacementStatus,
)

FIRST_USE_WITHIN_MS = 24 * 3_600_000
"""An offline period code not used within this long after its start is void (§8.1)."""


@dataclass(frozen=True, slots=True)
class DoorStatus:
    """One door of a grant: `active`, `pending` (retrying), `failed` (a person must act),
    `removing`, `removed`, or `expiring` (an offline code withdrawn early: valid on the lock
    until `end_ms`). Errors and guidance say why, `next_attempt_ms` when it retries.

    `kind` is `online` (the grant's code) or `offline` (`offline_reason` says why); `code` is
    what opens this door ("" while an offline code is not issued yet), valid from `start_ms`
    to `end_ms` (UTC epoch ms: an offline code's whole hours, the grant's window otherwise).
    An offline code must open the door once before `use_by_ms` (24 h after its start, or its
    end if sooner) or the lock voids it (reference §8.1); None for an online code.
    """

    door: str
    lock_id: int
    status: str
    errcode: int | None
    error: str | None
    guidance: str | None
    next_attempt_ms: int | None
    kind: str = "online"
    code: str = ""
    start_ms: int = 0
    end_ms: int = 0
    offline_reason: str | None = None
    use_by_ms: int | None = None


@dataclass(frozen=True, slots=True)
class GrantView:
    """A grant as reported to its caller; `code` is the full passcode the caller issued, or
    where a door has an offline code, the code of the grant's first door (the room's own);
    `codes` is each door's code, different where offline codes are. `updated_at_ms` (UTC ms)
    is when its dates, name, code or state last changed, and grows with every such change:
    its version (`GrantService.modify(expected_updated_ms=...)`)."""

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
    def codes(self) -> dict[str, str]:
        """door -> the code that opens it ("" while an offline code is not issued yet)."""
        return {door.door: door.code for door in self.doors}

    @property
    def codes_differ(self) -> bool:
        """Whether each door has its own code: an offline door beside another door (a code
        not issued yet included, so a desk never reads one code for all)."""
        return len(self.doors) > 1 and any(door.kind == "offline" for door in self.doors)

    @property
    def summary(self) -> str:
        """The least advanced door status: a grant is only `active` when every door is."""
        for status in ("failed", "pending", "removing", "expiring", "active"):
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
    doors = [door_status(placement, zone) for placement in grant.placements]
    offline = any(door.kind == "offline" for door in doors)
    return GrantView(
        id=grant.id,
        tag=grant.tag,
        name=grant.name,
        room=grant.room,
        code=doors[0].code if offline and doors else grant.code,
        start_ms=grant.start_ms,
        end_ms=grant.end_ms,
        start_local=format_local(grant.start_ms, zone),
        end_local=format_local(grant.end_ms, zone),
        state=state,
        doors=doors,
        updated_at_ms=grant.updated_at_ms,
    )


def door_status(placement: Placement, zone: ZoneInfo) -> DoorStatus:
    held = held_by(placement)
    wanted = wanted_of(placement, zone)
    if placement.kind is PlacementKind.OFFLINE:
        on_lock = held.passcode if held is not None else wanted
        kind, code, start_ms, end_ms = "offline", on_lock.code, on_lock.start_ms, on_lock.end_ms
    else:
        kind, code, start_ms, end_ms = "online", wanted.code, wanted.start_ms, wanted.end_ms
    return DoorStatus(
        door=placement.door,
        lock_id=placement.lock_id,
        status=_status_word(placement, zone),
        errcode=placement.last_errcode,
        error=placement.last_error,
        guidance=placement.guidance,
        next_attempt_ms=placement.next_attempt_at_ms,
        kind=kind,
        code=code,
        start_ms=start_ms,
        end_ms=end_ms,
        offline_reason=placement.kind_reason,
        use_by_ms=min(start_ms + FIRST_USE_WITHIN_MS, end_ms) if kind == "offline" else None,
    )


def _status_word(placement: Placement, zone: ZoneInfo) -> str:
    removing = placement.desired is Desired.ABSENT or placement.grant.state is GrantState.CANCELLED
    if removing:
        if placement.status is PlacementStatus.EXPIRING:
            return "expiring"
        return "removed" if placement.status is PlacementStatus.DELETED else "removing"
    if placement.status is PlacementStatus.FAILED:
        return "failed"
    held = held_by(placement)
    if held is not None and serves(placement, held, zone):
        return "active"
    return "pending"
