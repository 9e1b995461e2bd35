"""`KnxChannel`: room blocks on the bus in, grants from the access core out, results written back.

Telegrams for a block's objects update what the block has seen; a write to its trigger runs the
block's rules (block.py) against the access core, one trigger at a time per room. The block's
inputs are read when the channel connects and after every reconnect, so their values are known
before a trigger; an optional time object that never answers is taken as absent. Lock news is
written to the door objects configured for it.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
from collections.abc import Awaitable, Callable, Coroutine, Mapping
from typing import Any

from ttlock_bridge.access import Access, RoomIssue
from ttlock_bridge.access.passcode_policy import common_keys, generate_code
from ttlock_bridge.channels.knx import status_words
from ttlock_bridge.channels.knx.block import INPUTS, BlockObject, IssueRequest, RoomBlock
from ttlock_bridge.channels.knx.bus import GroupValue, KnxBus
from ttlock_bridge.channels.knx.dpt import Dpt, UnreadableValue, Value, decode, encode
from ttlock_bridge.channels.knx.event_text import event_text
from ttlock_bridge.config.knx import KnxSettings
from ttlock_bridge.locks import LockNews
from ttlock_bridge.operations.readiness import ChannelStatus
from ttlock_bridge.store.grants import DoorRef

log = logging.getLogger("ttlock_bridge.knx")

Unlock = Callable[[DoorRef], Awaitable[object]]
"""Opens a door remotely (the service's lock commands)."""

READ_TIMEOUT_SECONDS = 2.0
"""How long an object's read waits for the panel's answer: xknx's `ValueReader` default (2 s),
the usual KNX tooling figure. A trigger waits this long only for inputs never seen; the block is
read at connect, so an optional object that did not answer by then is absent and costs nothing."""


class KnxChannel:
    """The LogicMachine / KNX channel, started and stopped with the service."""

    name = "knx"

    def __init__(
        self,
        settings: KnxSettings,
        access: Access,
        *,
        unlock: Unlock | None = None,
        environ: Mapping[str, str] = os.environ,
    ) -> None:
        self._settings = settings
        self._access = access
        self._unlock = unlock
        self._bus = KnxBus(settings, self._received, environ, on_connected=self._read_blocks)
        self._blocks = {
            room: RoomBlock(
                room,
                {
                    BlockObject(name): address
                    for name, address in settings.room_addresses(room).items()
                },
            )
            for room in settings.rooms
        }
        self._objects = {
            address: (block, item)
            for block in self._blocks.values()
            for item, address in block.addresses.items()
        }
        self._door_of_lock = {door.lock_id: name for name, door in access.config.doors.items()}
        self._unlock_objects = {
            objects.unlock: door for door, objects in settings.doors.items() if objects.unlock
        }
        self._one_trigger_at_a_time = {room: asyncio.Lock() for room in self._blocks}
        self._arrived = {room: asyncio.Event() for room in self._blocks}
        self._tasks: set[asyncio.Task[None]] = set()

    async def start(self) -> None:
        await self._bus.start()

    async def stop(self) -> None:
        for task in list(self._tasks):
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        await self._bus.stop()

    def status(self) -> ChannelStatus:
        return ChannelStatus(self.name, self._bus.connected, self._bus.detail)

    async def publish(self, news: LockNews) -> None:
        """Write lock state (1 = locked), battery and last event text (14 ASCII characters,
        method first, see event_text.py) to the door's objects."""
        door = news.door or self._door_of_lock.get(news.lock_id)
        objects = self._settings.doors.get(door) if door else None
        if objects is None:
            return
        if objects.state is not None and news.bolt in ("locked", "unlocked"):
            self._bus.write(objects.state, encode(Dpt.SWITCH, news.bolt == "locked"))
        if objects.battery is not None and news.battery is not None:
            self._bus.write(objects.battery, encode(Dpt.PERCENT, max(0, min(news.battery, 100))))
        text = event_text(news.event_method, news.event_who, news.event_text)
        if objects.event is not None and text:
            self._bus.write(objects.event, encode(Dpt.TEXT, text))

    def _received(self, value: GroupValue) -> None:
        door = self._unlock_objects.get(value.address)
        if door is not None and value.is_write:
            with contextlib.suppress(UnreadableValue):
                if decode(Dpt.SWITCH, value.payload):
                    self._spawn(self._open(door))
            return
        target = self._objects.get(value.address)
        if target is None:
            return
        block, item = target
        try:
            decoded = decode(item.dpt, value.payload)
        except UnreadableValue as error:
            log.warning("event=knx_unreadable room=%s object=%s: %s", block.room, item.value, error)
            return
        if item is BlockObject.TRIGGER:
            if value.is_write:
                self._spawn(self._trigger(block, bool(decoded)))
            return
        block.saw(item, decoded, panel_wrote=value.is_write)
        self._arrived[block.room].set()

    def _read_blocks(self) -> None:
        """At (re)connect: ask for every block input, so a trigger finds the values known."""
        for block in self._blocks.values():
            for item in INPUTS:
                self._bus.read(block.addresses[item])
        self._spawn(self._absent_unless_answered())

    async def _absent_unless_answered(self) -> None:
        await asyncio.sleep(READ_TIMEOUT_SECONDS)
        for block in self._blocks.values():
            if absent := block.mark_unanswered_absent():
                log.info(
                    "event=knx_object_absent room=%s objects=%s",
                    block.room,
                    ",".join(item.value for item in absent),
                )

    def _spawn(self, work: Coroutine[Any, Any, None]) -> None:
        task = asyncio.create_task(work)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _trigger(self, block: RoomBlock, issue: bool) -> None:
        async with self._one_trigger_at_a_time[block.room]:
            log.info("event=knx_trigger room=%s value=%d", block.room, issue)
            if issue:
                await self._issue(block)
            else:
                await self._new_code(block)

    async def _open(self, door: str) -> None:
        """A 1 written to a door's unlock object: open it remotely, report failure as text."""
        if self._unlock is None:
            log.warning("event=knx_unlock_ignored door=%s reason=no_unlock_service", door)
            return
        lock_id = self._access.config.doors[door].lock_id
        try:
            await self._unlock(DoorRef(door, lock_id))
        except Exception as error:  # the panel shows it; the log keeps the detail
            log.warning("event=knx_unlock_failed door=%s error=%s", door, error)
            event = self._settings.doors[door].event
            if event is not None:
                self._bus.write(event, encode(Dpt.TEXT, "UNLOCK FAILED"))

    async def _issue(self, block: RoomBlock) -> None:
        """Trigger 1: create the room's grant (or modify its current one) from the block."""
        self._write(block, BlockObject.STATUS, status_words.BUSY)
        await self._read_missing(block)
        request = block.issue_request()
        if isinstance(request, str):
            self._write(block, BlockObject.STATUS, request)
            return
        try:
            issue = await self._access.stays.issue(
                block.room, request.start, request.end, code=request.code
            )
        except Exception as error:  # every failure becomes a word on the panel
            word = status_words.for_error(error)
            if word == status_words.ERR_BRIDGE:
                log.exception("event=knx_grant_failed room=%s", block.room)
            else:
                log.info(
                    "event=knx_grant_refused room=%s status=%r reason=%s",
                    block.room,
                    word,
                    type(error).__name__,
                )
            self._write(block, BlockObject.STATUS, word)
            return
        if request.defaulted:
            self._log_defaults(block, request, issue)
        written = block.writeback(issue, defaulted=bool(request.defaulted))
        for item, value in written.items():
            self._write(block, item, value)
        log.info(
            "event=knx_grant room=%s grant_id=%d outcome=%s status=%r",
            block.room,
            issue.grant.id,
            issue.outcome.value,
            written[BlockObject.STATUS],
        )

    def _log_defaults(self, block: RoomBlock, request: IssueRequest, issue: RoomIssue) -> None:
        """A default replaced a value the panel never gave: the grant's record says so."""
        defaults = self._access.config.defaults
        used = {
            BlockObject.FROM_TIME: f"check_in={defaults.check_in:%H:%M}",
            BlockObject.TO_TIME: f"check_out={defaults.check_out:%H:%M}",
        }
        log.warning(
            "event=knx_default_used room=%s grant_id=%d objects=%s defaults=%s "
            "reason=time object never answered a read",
            block.room,
            issue.grant.id,
            ",".join(item.value for item in request.defaulted),
            ",".join(used[item] for item in request.defaulted),
        )

    async def _new_code(self, block: RoomBlock) -> None:
        """Trigger 0: a fresh code into +1, not on any door of the room (nor any offline code
        of those doors); the cloud is untouched."""
        config = self._access.config
        doors = set(config.rooms[block.room].all_doors)
        taken = {
            code
            for grant in await self._access.grants.find()
            if doors & {door.door for door in grant.doors}
            for code in grant.codes.values()
        }
        keys = common_keys(config.doors[door].keypad for door in doors)
        code = generate_code(
            config.defaults.code_length, avoid=taken, deny=config.defaults.deny_codes, keys=keys
        )
        self._write(block, BlockObject.CODE, code)
        self._write(block, BlockObject.STATUS, status_words.NEW_CODE)

    async def _read_missing(self, block: RoomBlock) -> None:
        """Ask the bus for inputs neither seen nor known absent, and wait for the answers as
        long as KNX tooling does; optional objects that still did not answer are absent."""
        missing = block.missing_inputs()
        if not missing:
            return
        arrived = self._arrived[block.room]
        arrived.clear()
        for item in missing:
            self._bus.read(block.addresses[item])
        loop = asyncio.get_running_loop()
        deadline = loop.time() + READ_TIMEOUT_SECONDS
        while block.missing_inputs() and (left := deadline - loop.time()) > 0:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(arrived.wait(), left)
            arrived.clear()
        block.mark_unanswered_absent()

    def _write(self, block: RoomBlock, item: BlockObject, value: Value) -> None:
        """Write an object; what we write is a value on the bus like any other, so keep it."""
        block.saw(item, value, panel_wrote=False)
        self._bus.write(block.addresses[item], encode(item.dpt, value))
