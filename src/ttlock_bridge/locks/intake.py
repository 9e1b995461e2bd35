"""The callback intake: TTLock's pushed records become stored events, lock states and news.

The callback URL is public by design (DESIGN invariant 9), so a record is taken only when it
can be matched to a configured door: its lockId is the door's and its MAC (the record's or the
form's) is the one the cloud reports for that lock. A MAC the bridge does not know yet is
learnt from the lock list before the record is accepted; when the cloud cannot tell right now
the post is deferred (TTLock retries a post not answered `success`). Records already stored
(TTLock repeats itself) change nothing, and news is ordered by when it was heard, so no date a
record carries can put it ahead of later news (invariant 8).
"""

from __future__ import annotations

import asyncio
import logging
from collections import Counter
from collections.abc import Mapping, Sequence

from sqlalchemy.orm import Session

from ttlock_bridge.clock import Clock
from ttlock_bridge.cloud import PASSAGE_MODE_UNLOCK, BoltState, TTLockError, bolt_state_after
from ttlock_bridge.locks.callback import (
    CallbackRecord,
    RecordTimes,
    UnreadableCallback,
    read_callback,
    record_times,
)
from ttlock_bridge.locks.directory import LockDirectory
from ttlock_bridge.locks.event_text import describe, method_word
from ttlock_bridge.locks.keeper import StateKeeper
from ttlock_bridge.store import STORE_UNAVAILABLE, EventSource, Store
from ttlock_bridge.store.events import add_event

log = logging.getLogger("ttlock_bridge.locks")

CALLBACK_SOURCE = "callback"


class CallbackRefused(Exception):
    """A well-formed callback this bridge will not take: unknown lock, no or another MAC."""


class CallbackDeferred(Exception):
    """A callback the bridge cannot take right now (the cloud cannot confirm the lock's MAC);
    answer it with anything but `success` so TTLock sends it again."""


class EventIntake:
    """Receives callback forms; `counts` feeds /metrics (received, stored, duplicate, ...)."""

    def __init__(
        self,
        store: Store,
        directory: LockDirectory,
        keeper: StateKeeper,
        clock: Clock,
        replica: str | None = None,
    ) -> None:
        """`replica` names this process on the events it stores (the other replicas follow
        them: `locks.replica_events`)."""
        self._replica = replica
        self._store = store
        self._directory = directory
        self._keeper = keeper
        self._clock = clock
        self.counts: Counter[str] = Counter()
        self.last_records_at_ms: int | None = None
        self.last_test_at_ms: int | None = None
        self._unknown_locks_logged: set[int] = set()

    async def receive(self, form: Mapping[str, str], more_records: Sequence[str] = ()) -> int:
        """Store and publish the callback's new records; returns how many were new.

        `more_records` are the texts of further `records` fields of the same post (some
        senders repeat the field). Records of locks that are not configured doors are ignored,
        counted and logged once per lock, never applied: the TTLock console's test button posts
        a sample for a lock nobody owns, and it must see `success`
        (`last_test_at_ms`; `last_records_at_ms` for posts with records of our doors).

        Raises `UnreadableCallback` for a body that is no callback (or a field out of range),
        `CallbackRefused` for a record that cannot be matched to a door, `CallbackDeferred`
        when the lock's MAC cannot be learnt now, and the store's `STORE_UNAVAILABLE` errors
        when the database refuses (nothing is applied then: TTLock's retry brings it again).
        """
        received_at_ms = self._clock()
        self.counts["received"] += 1
        try:
            records = [
                record
                for fields in (form, *({**form, "records": text} for text in more_records))
                for record in read_callback(fields)
            ]
        except UnreadableCallback as error:
            self.counts["unreadable"] += 1
            log.warning("event=callback_unreadable reason=%r", str(error))
            raise
        ours = [record for record in records if self._directory.door_of(record.lock_id)]
        self._ignore_unknown_locks([r for r in records if r not in ours], received_at_ms)
        records = ours
        try:
            for record in records:
                await self._check_origin(record)
        except CallbackRefused:
            self.counts["refused"] += 1
            raise
        except CallbackDeferred:
            self.counts["deferred"] += 1
            raise
        try:
            new_records = await asyncio.to_thread(self._store_new, records)
        except STORE_UNAVAILABLE:
            self.counts["store_unavailable"] += 1
            raise
        if records:
            self.last_records_at_ms = received_at_ms
        self.counts["stored"] += len(new_records)
        self.counts["duplicate"] += len(records) - len(new_records)
        timed = [
            (record_times(r.lock_date_ms, r.server_date_ms, received_at_ms), r) for r in new_records
        ]
        for times, record in sorted(timed, key=lambda p: (p[0].heard_at_ms, p[1].lock_date_ms)):
            await self.take_in(record, times)
        return len(new_records)

    def _ignore_unknown_locks(self, records: list[CallbackRecord], received_at_ms: int) -> None:
        if not records:
            return
        self.counts["ignored_unknown_lock"] += len(records)
        self.last_test_at_ms = received_at_ms
        for lock_id in {record.lock_id for record in records} - self._unknown_locks_logged:
            self._unknown_locks_logged.add(lock_id)
            log.info(
                "event=callback_unknown_lock lock_id=%d: not a configured door, ignored (the "
                "TTLock console's test button posts such a sample; logged once per lock)",
                lock_id,
            )

    async def _check_origin(self, record: CallbackRecord) -> None:
        if record.lock_mac is None:
            raise CallbackRefused(
                f"lock {record.lock_id}: no lockMac, the record cannot be matched to the lock"
            )
        try:
            known_mac = await self._directory.mac(record.lock_id)
        except TTLockError as error:
            log.warning(
                "event=callback_deferred lock_id=%d reason=mac_unknown errcode=%s",
                record.lock_id,
                error.errcode,
            )
            raise CallbackDeferred(
                f"lock {record.lock_id}: its MAC cannot be confirmed with TTLock now"
            ) from None
        if known_mac is None:
            raise CallbackRefused(f"lock {record.lock_id}: TTLock reports no such lock")
        if record.lock_mac != known_mac:
            raise CallbackRefused(f"lock {record.lock_id}: the MAC does not match the lock's")

    def _store_new(self, records: list[CallbackRecord]) -> list[CallbackRecord]:
        with self._store.transaction() as session:
            return [
                record
                for record in records
                if store_record(session, record, EventSource.CALLBACK, stored_by=self._replica)
            ]

    async def take_in(self, record: CallbackRecord, times: RecordTimes) -> None:
        """A new record of a door (this replica's callback, or one another replica stored):
        the door's state learns it and the news goes out."""
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
        if times.clock_problem:
            log.warning(
                "event=lock_clock_problem lock_id=%d clock_offset_ms=%d",
                record.lock_id,
                times.clock_offset_ms,
            )
        relocks = bolt is BoltState.UNLOCKED and record.record_type != PASSAGE_MODE_UNLOCK
        await self._keeper.observe(
            record.lock_id,
            source=CALLBACK_SOURCE,
            at_ms=times.heard_at_ms,
            happened_at_ms=times.happened_at_ms,
            bolt=bolt,
            battery=record.battery,
            auto_lock_seconds=(
                await self._directory.relock_seconds(record.lock_id, times.happened_at_ms)
                if relocks
                else None
            ),
            clock_offset_ms=times.clock_offset_ms,
            event_text=text,
            event_method=method_word(record.record_type, success=record.success),
            event_who=record.username,
        )


def store_record(
    session: Session, record: CallbackRecord, source: EventSource, stored_by: str | None = None
) -> bool:
    """Store a lock record as an event unless it is stored already (its `dedupe_key`, the
    same whether it came by callback or from the record list); True if it was new.
    `stored_by`: the replica that stores it."""
    return add_event(
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
        source=source,
        battery=record.battery,
        stored_by=stored_by,
    )
