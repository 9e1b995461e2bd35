"""The callback intake: TTLock's pushed records become stored events, lock states and news.

Refuses records of locks that are not configured doors, and of a lock whose MAC differs from
the one the cloud reported (when known), so a stranger who finds the URL cannot invent events
for a door. Records already stored (TTLock repeats itself) change nothing.
"""

from __future__ import annotations

import asyncio
import logging
from collections import Counter
from collections.abc import Mapping

from ttlock_bridge.cloud import BoltState, bolt_state_after
from ttlock_bridge.locks.callback import CallbackRecord, UnreadableCallback, read_callback
from ttlock_bridge.locks.directory import LockDirectory
from ttlock_bridge.locks.event_text import describe, method_word
from ttlock_bridge.locks.keeper import StateKeeper
from ttlock_bridge.store import EventSource, Store
from ttlock_bridge.store.events import add_event

log = logging.getLogger("ttlock_bridge.locks")

CALLBACK_SOURCE = "callback"


class CallbackRefused(Exception):
    """A well-formed callback this bridge will not take (unknown lock, MAC mismatch)."""


class EventIntake:
    """Receives callback forms; `counts` feeds /metrics (received, stored, duplicate, ...)."""

    def __init__(self, store: Store, directory: LockDirectory, keeper: StateKeeper) -> None:
        self._store = store
        self._directory = directory
        self._keeper = keeper
        self.counts: Counter[str] = Counter()

    async def receive(self, form: Mapping[str, str]) -> int:
        """Store and publish the callback's new records; returns how many were new.

        Raises `UnreadableCallback` for a body that is no callback, `CallbackRefused` for one
        about a lock that is not ours.
        """
        self.counts["received"] += 1
        try:
            records = read_callback(form)
        except UnreadableCallback:
            self.counts["unreadable"] += 1
            raise
        try:
            for record in records:
                self._check_origin(record)
        except CallbackRefused:
            self.counts["refused"] += 1
            raise
        new_records = await asyncio.to_thread(self._store_new, records)
        self.counts["stored"] += len(new_records)
        self.counts["duplicate"] += len(records) - len(new_records)
        for record in sorted(new_records, key=lambda r: r.lock_date_ms):
            await self._take_in(record)
        return len(new_records)

    def _check_origin(self, record: CallbackRecord) -> None:
        if self._directory.door_of(record.lock_id) is None:
            raise CallbackRefused(f"lock {record.lock_id} is not a configured door")
        known_mac = self._directory.known_mac(record.lock_id)
        if known_mac and record.lock_mac and record.lock_mac.upper() != known_mac:
            raise CallbackRefused(f"lock {record.lock_id}: the MAC does not match the lock's")

    def _store_new(self, records: list[CallbackRecord]) -> list[CallbackRecord]:
        with self._store.transaction() as session:
            return [
                record
                for record in records
                if add_event(
                    session,
                    dedupe_key=record.dedupe_key,
                    lock_id=record.lock_id,
                    record_type=record.record_type,
                    record_type_from_lock=record.record_type_from_lock,
                    success=record.success,
                    username=record.username,
                    masked_code=record.masked_code,
                    lock_date_ms=record.lock_date_ms,
                    server_date_ms=record.server_date_ms,
                    source=EventSource.CALLBACK,
                )
            ]

    async def _take_in(self, record: CallbackRecord) -> None:
        bolt = bolt_state_after(record.record_type) if record.success else None
        text = describe(
            record.record_type,
            success=record.success,
            masked_code=record.masked_code,
            who=record.username,
        )
        log.info(
            "event=lock_record lock_id=%d record_type=%d success=%s",
            record.lock_id,
            record.record_type,
            record.success,
        )
        await self._keeper.observe(
            record.lock_id,
            source=CALLBACK_SOURCE,
            at_ms=record.lock_date_ms,
            bolt=bolt,
            battery=record.battery,
            auto_lock_seconds=(
                await self._directory.auto_lock_seconds(record.lock_id)
                if bolt is BoltState.UNLOCKED
                else None
            ),
            event_text=text,
            event_method=method_word(record.record_type, success=record.success),
            event_who=record.username,
        )
