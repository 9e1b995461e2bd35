"""One replica at a time per placement: a lease on its ledger row.

Several processes may reconcile one ledger: `serve` replicas on one PostgreSQL database, or a
command (`grants add`, `cleanup`) beside `serve`. Before a grant's steps, the reconciler claims
its placements (`claim`): one UPDATE that takes each placement no other replica holds an
unexpired lease on, so two replicas never send the same add, change or delete, and a grant's
doors stay with the replica that began them (its request sees them all placed, as with one
process). A lease ends when its placement has nothing more to do now (`release`), and is
renewed every `RENEW_EVERY_MS` while held, waiting in a lock's command queue included; a
replica that dies (SIGKILL, a power cut) renews nothing, so its leases end within
`LEASE_MS` and another replica takes the work over. A replica refused a placement comes back
for it when that lease ends (`next_look_s`), not only at its next periodic pass.

Lease times are the replicas' own clocks (UTC epoch ms), which NTP keeps within a fraction of
a second of each other (TTLock's signed calls need that too); a lease outlives any such gap.
A replica checks it still holds a placement's lease before each of its cloud steps (`holds`):
a renewal that finds the lease taken over, or no renewal for longer than `LEASE_MS` (the
database out of reach, the process stalled), ends it here too. What it cannot stop is the one
command already in flight; the ledger's intent and the passcode tag (DESIGN.md invariant 1)
resolve that as they resolve a crash.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Collection, Sequence
from typing import Final

from sqlalchemy import func, or_, select, update
from sqlalchemy.orm import Session

from ttlock_bridge.access.transactions import Transactions
from ttlock_bridge.clock import Clock
from ttlock_bridge.store import STORE_UNAVAILABLE, Placement

log = logging.getLogger("ttlock_bridge.reconciler")

LEASE_MS: Final = 20_000
"""How long a placement stays its replica's without a renewal: the longest a dead replica's
work waits for another."""
RENEW_EVERY_MS: Final = LEASE_MS // 4
"""How often the leases a replica holds are renewed: three renewals may fail before one ends."""


class PlacementLeases:
    """The placement leases of one replica (`owner`, `store.replica.replica_name`)."""

    def __init__(self, transactions: Transactions, owner: str, clock: Clock) -> None:
        self.owner = owner
        self._transactions = transactions
        self._clock = clock
        self._held: dict[int, int] = {}
        """Placement id -> when its lease ends unless renewed (UTC epoch ms)."""
        self._renewal: asyncio.Task[None] | None = None
        self._refused_until_ms: int | None = None

    async def claim(self, placement_ids: Sequence[int]) -> list[int]:
        """Take the leases of these placements (one grant's) that no other replica holds;
        returns those, in the given order. The others are left to their replicas, and looked
        at again when their leases end."""
        now_ms = self._clock()
        taken, other_until_ms = await self._transactions(
            claim, placement_ids, self.owner, now_ms, now_ms + LEASE_MS
        )
        if other_until_ms is not None:
            self._refused_until_ms = min(other_until_ms, self._refused_until_ms or other_until_ms)
        self._held.update(dict.fromkeys(taken, now_ms + LEASE_MS))
        if taken and (self._renewal is None or self._renewal.done()):
            self._renewal = asyncio.create_task(self._renew_while_held(), name="placement-leases")
        return [placement_id for placement_id in placement_ids if placement_id in taken]

    async def release(self, placement_ids: Collection[int]) -> None:
        """These placements have nothing more to do now: any replica may take them (those
        this replica still holds). Best effort: a database that cannot be reached now lets
        the leases end by themselves."""
        mine = self._held.keys() & set(placement_ids)
        if not mine:
            return
        for placement_id in mine:
            del self._held[placement_id]
        try:
            await self._transactions(release, mine, self.owner)
        except STORE_UNAVAILABLE:
            log.warning(
                "event=lease_release_failed placements=%d (they end by themselves)", len(mine)
            )

    def holds(self, placement_id: int) -> bool:
        """Whether this replica still holds the placement's lease: claimed, not taken over at
        the last renewal, and renewed within `LEASE_MS` (a little less, for clock skew)."""
        return self._clock() < self._held.get(placement_id, 0) - 1_000

    def next_look_s(self, at_most_s: float) -> float:
        """Seconds until the earliest lease this replica was refused since the last call ends
        (a little after it), at most `at_most_s`: when the next pass should come."""
        until_ms, self._refused_until_ms = self._refused_until_ms, None
        if until_ms is None:
            return at_most_s
        return min(at_most_s, max(0.0, (until_ms - self._clock()) / 1000) + 0.5)

    async def _renew_while_held(self) -> None:
        while self._held:
            await asyncio.sleep(RENEW_EVERY_MS / 1000)
            if not self._held:
                return
            asked, until_ms = set(self._held), self._clock() + LEASE_MS
            try:
                kept = await self._transactions(renew, asked, self.owner, until_ms)
            except STORE_UNAVAILABLE as error:
                log.warning("event=lease_renewal_failed held=%d error=%s", len(self._held), error)
            except Exception:  # the next renewal must still come
                log.exception("event=lease_renewal_failed held=%d", len(self._held))
            else:
                lost = asked - kept
                if lost:
                    log.warning("event=leases_taken_over placements=%d", len(lost))
                for placement_id in asked & self._held.keys():  # not released meanwhile
                    if placement_id in kept:
                        self._held[placement_id] = until_ms
                    else:
                        del self._held[placement_id]


def claim(
    session: Session, placement_ids: Collection[int], owner: str, now_ms: int, until_ms: int
) -> tuple[set[int], int | None]:
    """Lease to `owner` until `until_ms` each placement no other owner holds past `now_ms`:
    the ids taken, and when the earliest of the others' leases ends (None: none refused). One
    UPDATE: of two replicas claiming at once, PostgreSQL (the row locks) and SQLite (the write
    lock) let one through for each row."""
    taken = set(
        session.scalars(
            update(Placement)
            .where(
                Placement.id.in_(list(placement_ids)),
                or_(
                    Placement.lease_owner.is_(None),
                    Placement.lease_owner == owner,
                    Placement.lease_until_ms <= now_ms,
                ),
            )
            .values(lease_owner=owner, lease_until_ms=until_ms)
            .returning(Placement.id)
            .execution_options(synchronize_session=False)
        )
    )
    refused = [placement_id for placement_id in placement_ids if placement_id not in taken]
    if not refused:
        return taken, None
    ends = select(func.min(Placement.lease_until_ms)).where(Placement.id.in_(refused))
    return taken, session.scalar(ends)  # None too if they are gone: nothing to wait for


def release(session: Session, placement_ids: Collection[int], owner: str) -> None:
    session.execute(
        update(Placement)
        .where(Placement.id.in_(list(placement_ids)), Placement.lease_owner == owner)
        .values(lease_owner=None, lease_until_ms=None)
        .execution_options(synchronize_session=False)
    )


def renew(session: Session, placement_ids: Collection[int], owner: str, until_ms: int) -> set[int]:
    """The leases `owner` still holds on these placements run to `until_ms`; returns those
    (one another replica took over after this one's lapsed is not among them)."""
    return set(
        session.scalars(
            update(Placement)
            .where(Placement.id.in_(list(placement_ids)), Placement.lease_owner == owner)
            .values(lease_until_ms=until_ms)
            .returning(Placement.id)
            .execution_options(synchronize_session=False)
        )
    )
