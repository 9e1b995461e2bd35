"""Gateway health: whether each door can be reached through a gateway right now.

Two sources, newest first: one `/v3/gateway/list` every `[cloud] gateway_poll` (default 15 min;
`isOnline` per gateway, reference §11), and the outcome of every command that travels through a
gateway (an answer proves the way works; -3002 "gateway offline" and -2012 "no gateway" say it
does not). A door whose gateway goes offline while placements wait on it is reported at once:
that is the moment to act, not when a guest stands at the door.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from enum import StrEnum

from ttlock_bridge.clock import Clock
from ttlock_bridge.cloud import CallOutcome, TTLockError
from ttlock_bridge.locks.directory import LockDirectory
from ttlock_bridge.locks.news import Announce
from ttlock_bridge.store import PlacementStatus, Store
from ttlock_bridge.store.placements import list_placements

log = logging.getLogger("ttlock_bridge.locks")

THROUGH_GATEWAY = frozenset(
    {
        "/v3/lock/unlock",
        "/v3/lock/lock",
        "/v3/keyboardPwd/add",
        "/v3/keyboardPwd/change",
        "/v3/keyboardPwd/delete",
        "/v3/lock/configPassageMode",
        "/v3/lock/queryDate",
        "/v3/lock/updateDate",
    }
)
"""Endpoints whose answer means the gateway reached the lock (the bridge always sends these
through the gateway: addType/changeType/deleteType 2, reference §8)."""

GATEWAY_OFFLINE = -3002
NO_GATEWAY = -2012


class GatewayState(StrEnum):
    """How a door is reached: every value a user may see (`None` while nothing is known)."""

    ONLINE = "online"  # a gateway that reaches the lock is online
    OFFLINE = "offline"  # the lock has gateways, none online: remote commands and codes wait
    NONE = "none"  # the lock has no gateway: remote commands cannot work


@dataclass(frozen=True, slots=True)
class DoorGateway:
    """A door's gateway state, where it came from ("gateway list" or "command") and when
    (UTC epoch ms)."""

    state: GatewayState
    source: str
    at_ms: int


NEWS_TEXT = {
    GatewayState.ONLINE: "gateway online",
    GatewayState.OFFLINE: "gateway down",
    GatewayState.NONE: "no gateway",
}
"""What channels show when a door's gateway state changes (fits a 14-character KNX text)."""


class GatewayHealth:
    """Per-door gateway state; `observe` takes every cloud call's outcome, `poll` the list."""

    def __init__(
        self, directory: LockDirectory, store: Store, clock: Clock, announce: Announce
    ) -> None:
        self._directory = directory
        self._store = store
        self._clock = clock
        self._announce = announce
        self._doors: dict[int, DoorGateway] = {}
        self._polled: dict[int, GatewayState] = {}
        self._last_poll_ms = 0
        self._changes: asyncio.Queue[int] = asyncio.Queue()

    def of(self, lock_id: int) -> DoorGateway | None:
        return self._doors.get(lock_id)

    def state_of(self, lock_id: int) -> GatewayState | None:
        """The door's gateway state as last known (None: not known yet)."""
        known = self._doors.get(lock_id)
        return None if known is None else known.state

    def observe(self, call: CallOutcome) -> None:
        """A cloud call ended (called by the client, synchronously): learn from it, for the
        lock it was about and for every door behind the same gateways (one gateway usually
        serves a whole floor: when it is down for one lock, it is down for all of them)."""
        if call.lock_id is None or self._directory.door_of(call.lock_id) is None:
            return
        if call.errcode == GATEWAY_OFFLINE:
            # TTLock tries every gateway of the lock: all of them are offline
            down = self._directory.cached_gateway_ids(call.lock_id) or frozenset()
            self._learn(call.lock_id, GatewayState.OFFLINE, "command")
            for lock_id in self._doors_behind_only(down):
                self._learn(lock_id, GatewayState.OFFLINE, "command")
        elif call.errcode == NO_GATEWAY:
            self._directory.forget_gateway_links(call.lock_id)  # re-paired? read them again
            self._learn(call.lock_id, GatewayState.NONE, "command")
        elif (
            call.answered
            and call.errcode is None
            and call.endpoint in THROUGH_GATEWAY
            and not call.cloud_only
        ):
            self._learn(call.lock_id, GatewayState.ONLINE, "command")
            through = self._directory.cached_gateway_ids(call.lock_id)
            if through is not None and len(through) == 1:  # then we know which one answered
                for lock_id in self._doors_behind_any(through):
                    self._learn(lock_id, GatewayState.ONLINE, "command")

    def _doors_behind_only(self, gateway_ids: frozenset[int]) -> list[int]:
        """Doors every gateway of which (as last read) is among `gateway_ids`."""
        return [
            door.lock_id
            for door in self._directory.doors()
            if (links := self._directory.cached_gateway_ids(door.lock_id)) and links <= gateway_ids
        ]

    def _doors_behind_any(self, gateway_ids: frozenset[int]) -> list[int]:
        """Doors that at least one of `gateway_ids` reaches (as last read)."""
        return [
            door.lock_id
            for door in self._directory.doors()
            if (links := self._directory.cached_gateway_ids(door.lock_id)) and links & gateway_ids
        ]

    async def poll(self) -> None:
        """Read the gateway list now (1 call; the door-to-gateway links come from the door
        directory's cache) and update every door. A command's answer newer than the last poll
        outranks a poll that saw nothing change for that door (TTLock's `isOnline` lags).
        A failure is logged; states stay."""
        started_ms = self._clock()
        try:
            gateways = await self._directory.gateways(fresh=True)
            summaries = await self._directory.summaries()
            for door in self._directory.doors():
                summary = summaries.get(door.lock_id)
                if summary is not None and summary.has_gateway is False:
                    self._polled_state(door.lock_id, GatewayState.NONE)
                    continue
                links = await self._directory.gateways_of_lock(door.lock_id)
                online = any(
                    gateway.is_online
                    for link in links
                    if (gateway := gateways.get(link.gateway_id)) is not None
                )
                state = GatewayState.ONLINE if online else GatewayState.OFFLINE
                self._polled_state(door.lock_id, state if links else GatewayState.NONE)
        except TTLockError as error:
            log.warning("event=gateway_poll_failed errcode=%s", error.errcode)
        self._last_poll_ms = started_ms

    def _polled_state(self, lock_id: int, state: GatewayState) -> None:
        previous, self._polled[lock_id] = self._polled.get(lock_id), state
        current = self._doors.get(lock_id)
        fresher_command = (
            current is not None
            and current.source == "command"
            and current.at_ms > self._last_poll_ms
        )
        if not fresher_command or previous is not state:
            self._learn(lock_id, state, "gateway list")

    async def announce_changes_forever(self) -> None:
        """Publish each door whose state changed; an offline door with waiting placements
        is logged as a warning (the placements wait for it)."""
        while True:
            lock_id = await self._changes.get()
            try:
                await self._announce_change(lock_id)
            except Exception:  # the next change must still be told
                log.exception("event=gateway_news_failed lock_id=%d", lock_id)

    async def _announce_change(self, lock_id: int) -> None:
        current = self._doors[lock_id]
        if current.state is not GatewayState.ONLINE:
            waiting = await asyncio.to_thread(self._waiting_placements, lock_id)
            if waiting:
                door = self._directory.door_of(lock_id)
                log.warning(
                    "event=gateway_down_with_waiting_placements door=%s lock_id=%d state=%s "
                    "placements=%d",
                    door.door if door else "?",
                    lock_id,
                    current.state,
                    waiting,
                )
        await self._announce(lock_id, NEWS_TEXT[current.state])

    def _learn(self, lock_id: int, state: GatewayState, source: str) -> None:
        previous = self._doors.get(lock_id)
        self._doors[lock_id] = DoorGateway(state, source, self._clock())
        if previous is None or previous.state is not state:
            log.info("event=gateway_state lock_id=%d state=%s source=%s", lock_id, state, source)
            self._changes.put_nowait(lock_id)

    def _waiting_placements(self, lock_id: int) -> int:
        with self._store.transaction() as session:
            waiting = {PlacementStatus.INTENT, PlacementStatus.PENDING}
            return len(list_placements(session, lock_ids=[lock_id], statuses=waiting))
