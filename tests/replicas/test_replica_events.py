"""The callbacks other replicas stored are taken in once each, this replica's own never, and a
lower id that shows up late (its transaction committed after a higher one) is not missed."""

from __future__ import annotations

from typing import cast

from ttlock_bridge.locks.callback import CallbackRecord, RecordTimes
from ttlock_bridge.locks.intake import EventIntake
from ttlock_bridge.locks.replica_events import SETTLE_S, ReplicaEvents
from ttlock_bridge.store import Event, EventSource, Store

NOW_MS = 1_800_000_000_000


class Intake:
    """What the follower hands the intake: the usernames of the records, in order."""

    def __init__(self) -> None:
        self.taken: list[str | None] = []

    async def take_in(self, record: CallbackRecord, _times: RecordTimes) -> None:
        self.taken.append(record.username)


class Monotonic:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def stored(
    store: Store,
    name: str,
    by: str,
    source: EventSource = EventSource.CALLBACK,
    event_id: int | None = None,
) -> None:
    """An event `name` stored by replica `by` (with `event_id`: that id, taken earlier by a
    transaction that commits only now)."""
    with store.transaction() as session:
        session.add(
            Event(
                id=event_id,
                dedupe_key=name,
                lock_id=1_000_002,
                record_type=4,
                record_type_from_lock=4,
                success=True,
                username=name,
                masked_code=None,
                lock_date_ms=NOW_MS,
                server_date_ms=NOW_MS,
                source=source,
                battery=64,
                stored_by=by,
            )
        )


async def test_the_others_callbacks_once_each_and_never_our_own(store: Store) -> None:
    intake, clock = Intake(), Monotonic()
    events = ReplicaEvents(store, cast(EventIntake, intake), "me", lambda: NOW_MS, clock)
    stored(store, "before start", "other")
    await events.follow()  # (follow_forever starts from the newest id; here from 0)

    stored(store, "mine", "me")
    stored(store, "theirs", "other")
    stored(store, "their poll", "other", EventSource.POLL)
    assert await events.follow() == 1
    assert await events.follow() == 0
    clock.now += SETTLE_S + 1
    await events.follow()  # the floor moves past what settled
    stored(store, "later", "other")
    assert await events.follow() == 1

    assert intake.taken == ["before start", "theirs", "later"]


async def test_an_id_below_the_newest_read_is_still_taken_within_the_settling_time(
    store: Store,
) -> None:
    intake, clock = Intake(), Monotonic()
    events = ReplicaEvents(store, cast(EventIntake, intake), "me", lambda: NOW_MS, clock)
    stored(store, "second", "other", event_id=2)
    await events.follow()

    stored(store, "first", "other", event_id=1)  # its transaction committed after id 2's
    clock.now += 1
    await events.follow()

    assert intake.taken == ["second", "first"]
