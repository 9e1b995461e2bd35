"""Remote lock commands, which also tell the state keeper what they did: a confirmed unlock
is the freshest news there is about a bolt (the callback follows seconds later)."""

from __future__ import annotations

import logging

from ttlock_bridge.clock import Clock
from ttlock_bridge.cloud import BoltState, TTLockClient
from ttlock_bridge.locks.directory import LockDirectory
from ttlock_bridge.locks.keeper import StateKeeper
from ttlock_bridge.store.grants import DoorRef

log = logging.getLogger("ttlock_bridge.locks")

COMMAND_SOURCE = "command"


class LockCommands:
    def __init__(
        self, cloud: TTLockClient, directory: LockDirectory, keeper: StateKeeper, clock: Clock
    ) -> None:
        self._cloud = cloud
        self._directory = directory
        self._keeper = keeper
        self._clock = clock

    async def unlock(self, door: DoorRef) -> None:
        await self._cloud.unlock(door.lock_id)
        log.info("event=remote_unlock door=%s lock_id=%d", door.door, door.lock_id)
        unlocked_at_ms = self._clock()
        await self._keeper.observe(
            door.lock_id,
            source=COMMAND_SOURCE,
            at_ms=unlocked_at_ms,
            bolt=BoltState.UNLOCKED,
            auto_lock_seconds=await self._directory.relock_seconds(door.lock_id, unlocked_at_ms),
            event_text="remote unlock",
            event_method="REMOTE UNLOCK",
        )

    async def lock(self, door: DoorRef) -> None:
        await self._cloud.lock(door.lock_id)
        log.info("event=remote_lock door=%s lock_id=%d", door.door, door.lock_id)
        await self._keeper.observe(
            door.lock_id,
            source=COMMAND_SOURCE,
            at_ms=self._clock(),
            bolt=BoltState.LOCKED,
            event_text="remote lock",
            event_method="REMOTE LOCK",
        )
