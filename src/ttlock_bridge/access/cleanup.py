"""Cleanup after departure, the optional sweep of other expired codes, and the drift report.

Cleanup only marks what must go; the reconciler deletes it, with retries until the cloud
confirms (DESIGN.md invariant 3); an ended offline code only loses its cloud record (the lock
dropped it by itself). The sweep deletes expired period passcodes that are not ours, like the
forum's nightly script, and is off unless asked for.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field, replace
from datetime import timedelta

from sqlalchemy.orm import Session

from ttlock_bridge.access.passcode_tag import parse_tag
from ttlock_bridge.access.reconciler import Reconciler
from ttlock_bridge.access.transactions import Transactions
from ttlock_bridge.clock import Clock
from ttlock_bridge.cloud import PasscodeType, TTLockClient, TTLockError, mask_code
from ttlock_bridge.config import Config
from ttlock_bridge.store import Desired, GrantState, Placement, PlacementStatus
from ttlock_bridge.store.grants import grants_ended_before, take_grant_write_turn
from ttlock_bridge.store.placements import list_placements

log = logging.getLogger("ttlock_bridge.cleanup")


@dataclass(frozen=True, slots=True)
class CleanupItem:
    """One passcode cleanup removes (or would remove, in a dry run)."""

    door: str
    lock_id: int
    keyboard_pwd_id: int | None
    name: str
    reason: str
    grant_id: int | None = None
    outcome: str = "would delete"


@dataclass(frozen=True, slots=True)
class CleanupReport:
    dry_run: bool
    items: list[CleanupItem] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class DriftItem:
    """A passcode the lock and the ledger disagree about. Codes are masked."""

    door: str
    lock_id: int
    keyboard_pwd_id: int | None
    name: str
    masked_code: str
    ours: bool
    grant_id: int | None = None


@dataclass(frozen=True, slots=True)
class DriftReport:
    unknown_on_locks: list[DriftItem] = field(default_factory=list)
    missing_from_locks: list[DriftItem] = field(default_factory=list)


class Cleanup:
    def __init__(
        self,
        config: Config,
        transactions: Transactions,
        cloud: TTLockClient,
        reconciler: Reconciler,
        clock: Clock,
    ) -> None:
        self._config = config
        self._transactions = transactions
        self._cloud = cloud
        self._reconciler = reconciler
        self._clock = clock

    @property
    def grace(self) -> timedelta:
        return self._config.defaults.cleanup_grace

    async def run(self, *, dry_run: bool = True, sweep: bool = False) -> CleanupReport:
        """Remove the passcodes of grants that ended more than the grace period ago."""
        cutoff_ms = self._clock() - int(self.grace.total_seconds() * 1000)
        due = await self._transactions(_ended_grant_placements, cutoff_ms)
        items = list(due.values())
        if not dry_run and due:
            marked = await self._transactions(_mark_absent, list(due), cutoff_ms)
            due = {pid: item for pid, item in due.items() if pid in marked}
            items = list(due.values())
            await self._reconciler.run_pass({item.grant_id for item in items if item.grant_id})
            outcomes = await self._transactions(_outcomes, list(due))
            items = [replace(item, outcome=outcomes[pid]) for pid, item in due.items()]
        if sweep:
            items += await self._sweep(cutoff_ms, dry_run=dry_run)
        log.info("cleanup (%s): %d passcode(s)", "dry run" if dry_run else "done", len(items))
        return CleanupReport(dry_run=dry_run, items=items)

    async def _sweep(self, cutoff_ms: int, *, dry_run: bool) -> list[CleanupItem]:
        """Expired period passcodes on the configured doors that the ledger does not track."""
        known = await self._transactions(_known_passcode_ids)
        items: list[CleanupItem] = []
        for door, settings in self._config.doors.items():
            async for found in self._cloud.passcodes(settings.lock_id):
                expired = found.keyboard_pwd_type == PasscodeType.PERIOD and (
                    found.end_date is not None and found.end_date < cutoff_ms
                )
                if not expired or found.keyboard_pwd_id in known:
                    continue
                outcome = "would delete"
                if not dry_run:
                    outcome = await self._delete_foreign(
                        settings.lock_id, found.keyboard_pwd_id, offline=found.is_custom is False
                    )
                items.append(
                    CleanupItem(
                        door=door,
                        lock_id=settings.lock_id,
                        keyboard_pwd_id=found.keyboard_pwd_id,
                        name=found.keyboard_pwd_name or "",
                        reason="expired period passcode (sweep)",
                        outcome=outcome,
                    )
                )
        return items

    async def _delete_foreign(self, lock_id: int, passcode_id: int, *, offline: bool) -> str:
        """An expired custom code through the gateway; an expired offline (random) one, which
        the lock dropped by itself, from the cloud's records only (reference §8.1, §8.4)."""
        try:
            await self._cloud.delete_passcode(lock_id, passcode_id, on_lock=not offline)
        except TTLockError as error:
            return f"not deleted: {error.guidance}"
        return "deleted"

    async def drift(self) -> DriftReport:
        """Passcodes on locks the ledger does not know, and ledger entries missing from locks."""
        report = DriftReport()
        placements = await self._transactions(_live_placements)
        for door, settings in self._config.doors.items():
            on_lock = {
                found.keyboard_pwd_id: found
                async for found in self._cloud.passcodes(settings.lock_id)
            }
            ours_here = {
                placement.keyboard_pwd_id: placement
                for placement in placements
                if placement.lock_id == settings.lock_id and placement.keyboard_pwd_id is not None
            }
            for passcode_id, found in on_lock.items():
                if passcode_id not in ours_here:
                    report.unknown_on_locks.append(
                        DriftItem(
                            door=door,
                            lock_id=settings.lock_id,
                            keyboard_pwd_id=passcode_id,
                            name=found.keyboard_pwd_name or "",
                            masked_code=found.masked_code,
                            ours=parse_tag(found.keyboard_pwd_name) is not None,
                        )
                    )
            for passcode_id, placement in ours_here.items():
                if passcode_id not in on_lock and placement.status is PlacementStatus.ACTIVE:
                    report.missing_from_locks.append(
                        DriftItem(
                            door=door,
                            lock_id=settings.lock_id,
                            keyboard_pwd_id=passcode_id,
                            name=placement.applied_name or "",
                            masked_code=mask_code(placement.applied_code or ""),
                            ours=True,
                            grant_id=placement.grant_id,
                        )
                    )
        return report


def _ended_grant_placements(session: Session, cutoff_ms: int) -> dict[int, CleanupItem]:
    """Placements still wanted by grants that ended before the cutoff, by placement id."""
    return {
        placement.id: CleanupItem(
            door=placement.door,
            lock_id=placement.lock_id,
            keyboard_pwd_id=placement.keyboard_pwd_id,
            name=grant.name,
            reason="the stay ended",
            grant_id=grant.id,
        )
        for grant in grants_ended_before(session, cutoff_ms)
        if grant.state is GrantState.ACTIVE
        for placement in grant.placements
        if placement.desired is Desired.PRESENT and placement.status is not PlacementStatus.DELETED
    }


def _mark_absent(session: Session, placement_ids: list[int], cutoff_ms: int) -> set[int]:
    """Under the grant write turn, mark absent the placements whose grant still ended before
    the cutoff (a stay extended meanwhile keeps its code); returns the ones marked."""
    take_grant_write_turn(session)
    marked = set()
    for placement_id in placement_ids:
        placement = session.get_one(Placement, placement_id)
        if placement.grant.end_ms >= cutoff_ms or placement.grant.state is not GrantState.ACTIVE:
            continue
        marked.add(placement_id)
        placement.desired = Desired.ABSENT
        if placement.status in (PlacementStatus.ACTIVE, PlacementStatus.FAILED):
            placement.status = PlacementStatus.PENDING
        placement.next_attempt_at_ms = None
    return marked


def _outcomes(session: Session, placement_ids: list[int]) -> dict[int, str]:
    outcome = {PlacementStatus.DELETED: "deleted"}
    return {
        placement_id: outcome.get(
            session.get_one(Placement, placement_id).status, "pending (retried until deleted)"
        )
        for placement_id in placement_ids
    }


def _known_passcode_ids(session: Session) -> set[int]:
    return {
        placement.keyboard_pwd_id
        for placement in list_placements(session)
        if placement.keyboard_pwd_id is not None
    }


def _live_placements(session: Session) -> list[Placement]:
    """Placements whose code is, or should be, on its lock: the wanted ones, and offline codes
    withdrawn early that stay valid to their end (`expiring`)."""
    return [
        placement
        for placement in list_placements(session)
        if placement.status is PlacementStatus.EXPIRING
        or (
            placement.status is not PlacementStatus.DELETED and placement.desired is Desired.PRESENT
        )
    ]
