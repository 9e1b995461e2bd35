"""`Access`: the access core assembled from a configuration, a store and a cloud client.

Channels hold one `Access` and call `grants`, `stays` (issue by room), `occupancy` (who is in
each room), `cleanup` and `reconciler`, and `subscribe` to grant news; `run_forever` is the
background work of the service: reconciler passes, the nightly cleanup, and retrying the doors
whose gateway came back (`gateway_return`, subscribed to lock news by the composition root).
Among replicas the nightly cleanup runs on one (`runs_here`).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from datetime import date, datetime, timedelta

from ttlock_bridge.access import ledger
from ttlock_bridge.access.cleanup import Cleanup
from ttlock_bridge.access.code_kinds import CodeKinds, GatewayOf
from ttlock_bridge.access.gateway_return import GatewayReturn
from ttlock_bridge.access.grants import GrantService
from ttlock_bridge.access.leases import PlacementLeases
from ttlock_bridge.access.news import GrantBulletin, GrantNewsSubscriber
from ttlock_bridge.access.occupancy import Occupancy
from ttlock_bridge.access.reconciler import Reconciler
from ttlock_bridge.access.stays import RoomStays
from ttlock_bridge.access.time_window import from_utc_ms, to_utc_ms
from ttlock_bridge.access.transactions import Transactions
from ttlock_bridge.clock import Clock, wall_clock_ms
from ttlock_bridge.cloud import TTLockClient
from ttlock_bridge.config import Config
from ttlock_bridge.locks.gateways import NO_GATEWAY
from ttlock_bridge.store import Store
from ttlock_bridge.store.replica import replica_name

log = logging.getLogger("ttlock_bridge.access")

RECONCILE_EVERY_SECONDS = 30.0
"""How often pending placements are looked at; each one still waits for its own retry time."""
NIGHTLY_CLEANUP = "nightly cleanup"
"""The job one replica runs for all (`runs_here`)."""


class Access:
    def __init__(
        self,
        config: Config,
        store: Store,
        cloud: TTLockClient,
        *,
        clock: Clock | None = None,
        gateway_of: GatewayOf | None = None,
        replica: str | None = None,
        runs_here: Callable[[str], Awaitable[bool]] | None = None,
    ) -> None:
        """`gateway_of`: each door's gateway state as the lock layer knows it (which doors get
        offline codes, `access.code_kinds`); without it, no gateway is known to be missing.
        `replica` names this process on the placements it works on (`access.leases`; a new
        `store.replica.replica_name()` if not given). `runs_here(job)`: whether this replica
        runs `NIGHTLY_CLEANUP` tonight (one replica runs it for all: `store.singletons`);
        without it, this process does."""
        self.config = config
        self._runs_here = runs_here
        self.clock = clock or wall_clock_ms
        self._transactions = transactions = Transactions(store)
        kinds = CodeKinds(config, gateway_of)
        defaults = config.defaults
        self._bulletin = GrantBulletin()
        self.reconciler = Reconciler(
            transactions,
            cloud,
            config.property.zone,
            clock=self.clock,
            code_length=defaults.code_length,
            deny_codes=defaults.deny_codes,
            keypads={door.lock_id: door.keypad for door in config.doors.values()},
            bulletin=self._bulletin,
            kinds=kinds,
            leases=PlacementLeases(transactions, replica or replica_name(), self.clock),
        )
        self.grants = GrantService(
            config, transactions, self.reconciler, self.clock, self._bulletin, kinds=kinds
        )
        self.stays = RoomStays(config, self.grants, self.clock)
        self.occupancy = Occupancy(config, transactions, cloud, self.clock, kinds.reachable)
        self.cleanup = Cleanup(config, transactions, cloud, self.reconciler, self.clock)
        self.gateway_return = GatewayReturn()

    def subscribe(self, subscriber: GrantNewsSubscriber) -> None:
        """Tell `subscriber` of every grant change from now on (see `access.news`)."""
        self._bulletin.subscribe(subscriber)

    def next_cleanup_ms(self, after_ms: int) -> int:
        """The next nightly cleanup time (property-local, DST-safe) strictly after `after_ms`."""
        zone = self.config.property.zone
        at = self.config.defaults.cleanup_time
        day: date = from_utc_ms(after_ms, zone).date()
        while (moment := to_utc_ms(datetime.combine(day, at), zone)) <= after_ms:
            day += timedelta(days=1)
        return moment

    async def retry_door(self, lock_id: int) -> int:
        """Try now every placement on `lock_id` that waits for its next try, and the ones that
        failed for want of a gateway (-2012); returns how many grants were reconciled."""
        grant_ids = await self._transactions(ledger.wake_door, lock_id, revive_errcode=NO_GATEWAY)
        if grant_ids:
            await self.reconciler.run_pass(grant_ids)
        return len(grant_ids)

    async def run_forever(self) -> None:
        """Reconcile every little while, clean up every night and retry the doors whose gateway
        came back, until cancelled."""
        await asyncio.gather(
            self._reconcile_forever(),
            self._clean_up_nightly(),
            self.gateway_return.serve(self.retry_door),
        )

    async def _reconcile_forever(self) -> None:
        while True:
            try:
                await self.reconciler.run_pass()
            except Exception:  # a pass must never stop the loop; the next one retries
                log.exception("reconciler pass failed")
            # sooner when another replica's lease on a placement ends (it may have died)
            await asyncio.sleep(self.reconciler.leases.next_look_s(RECONCILE_EVERY_SECONDS))

    async def _clean_up_nightly(self) -> None:
        while True:
            due_ms = self.next_cleanup_ms(self.clock())
            await asyncio.sleep((due_ms - self.clock()) / 1000)
            if self.clock() < due_ms:
                continue  # the loop's timer woke before the wall clock: sleep the rest
            if self._runs_here is not None and not await self._runs_here(NIGHTLY_CLEANUP):
                continue  # another replica cleans up
            try:
                report = await self.cleanup.run(dry_run=False)
            except Exception:
                log.exception("nightly cleanup failed; it runs again tomorrow")
            else:
                log.info("nightly cleanup removed %d passcode(s)", len(report.items))
