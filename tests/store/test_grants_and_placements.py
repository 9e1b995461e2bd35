"""Grants, their doors and their placements survive a round trip through each database."""

from __future__ import annotations

import pytest
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.exc import StaleDataError

from ttlock_bridge.store import Desired, GrantState, PlacementStatus, Store
from ttlock_bridge.store.grants import (
    DoorRef,
    add_grant,
    find_grant_by_tag,
    get_grant,
    grants_ended_before,
    list_grants,
)
from ttlock_bridge.store.placements import (
    add_placement,
    codes_held_on,
    get_placement,
    list_placements,
)

NOW = 1_795_000_000_000
DAY = 86_400_000
ROOM_1 = DoorRef("room-1", 1000002)
ENTRANCE = DoorRef("main-entrance", 1000001)


def make_grant(
    store: Store, tag: str, *, code: str = "385721", start_ms: int = NOW, room: str = "room-1"
) -> int:
    with store.transaction() as session:
        grant = add_grant(
            session,
            tag=tag,
            name=f"Guest {tag}",
            room=room,
            code=code,
            code_generated=True,
            start_ms=start_ms,
            end_ms=start_ms + 2 * DAY,
            doors=[ROOM_1, ENTRANCE],
            now_ms=NOW,
        )
        return grant.id


def test_a_grant_round_trips_with_its_doors_in_order(store: Store) -> None:
    grant_id = make_grant(store, "7K2QF9")

    with store.transaction() as session:
        grant = get_grant(session, grant_id)
        assert grant is not None
        assert (grant.tag, grant.name, grant.room, grant.code) == (
            "7K2QF9",
            "Guest 7K2QF9",
            "room-1",
            "385721",
        )
        assert grant.state is GrantState.ACTIVE
        assert grant.code_generated is True
        assert grant.end_ms - grant.start_ms == 2 * DAY
        assert grant.version == 1
        assert [(door.door, door.lock_id) for door in grant.doors] == [
            ("room-1", 1000002),
            ("main-entrance", 1000001),
        ]


def test_objects_stay_readable_after_the_transaction(store: Store) -> None:
    grant_id = make_grant(store, "7K2QF9")
    with store.transaction() as session:
        grant = get_grant(session, grant_id)

    assert grant is not None
    assert [door.door for door in grant.doors] == ["room-1", "main-entrance"]


def test_tags_are_unique(store: Store) -> None:
    make_grant(store, "7K2QF9")

    with pytest.raises(IntegrityError):
        make_grant(store, "7K2QF9")


def test_find_by_tag_list_and_cleanup_queries(store: Store) -> None:
    early = make_grant(store, "AAAAA1", start_ms=NOW - 10 * DAY, room="room-2")
    late = make_grant(store, "BBBBB2", start_ms=NOW)
    with store.transaction() as session:
        cancelled = get_grant(session, late)
        assert cancelled is not None
        cancelled.state = GrantState.CANCELLED

    with store.transaction() as session:
        found = find_grant_by_tag(session, "AAAAA1")
        assert found is not None
        assert found.id == early
        assert find_grant_by_tag(session, "ZZZZZ9") is None
        assert [grant.id for grant in list_grants(session)] == [early, late]
        assert [grant.id for grant in list_grants(session, state=GrantState.ACTIVE)] == [early]
        assert [grant.id for grant in list_grants(session, room="room-1")] == [late]
        assert [grant.id for grant in list_grants(session, ends_after_ms=NOW)] == [late]
        assert [grant.id for grant in grants_ended_before(session, NOW)] == [early]


def test_concurrent_edits_of_a_grant_are_detected(store: Store) -> None:
    grant_id = make_grant(store, "7K2QF9")
    first, second = store.sessions(), store.sessions()
    try:
        mine = get_grant(first, grant_id)
        theirs = get_grant(second, grant_id)
        assert mine is not None
        assert theirs is not None
        mine.name = "Renamed"
        first.commit()
        theirs.name = "Renamed too"
        with pytest.raises(StaleDataError):
            second.commit()
    finally:
        first.close()
        second.close()

    with store.transaction() as session:
        stored = get_grant(session, grant_id)
        assert stored is not None
        assert (stored.name, stored.version) == ("Renamed", 2)


def test_placements_start_as_intent_and_record_confirmation(store: Store) -> None:
    grant_id = make_grant(store, "7K2QF9")
    with store.transaction() as session:
        grant = get_grant(session, grant_id)
        assert grant is not None
        placement_ids = [
            add_placement(session, grant, door=ref.door, lock_id=ref.lock_id, now_ms=NOW).id
            for ref in (ROOM_1, ENTRANCE)
        ]

    with store.transaction() as session:
        placement = get_placement(session, placement_ids[0])
        assert placement is not None
        assert placement.status is PlacementStatus.INTENT
        assert placement.desired is Desired.PRESENT
        assert placement.keyboard_pwd_id is None
        assert placement.attempts == 0
        placement.keyboard_pwd_id = 24242
        placement.status = PlacementStatus.ACTIVE
        placement.applied_code = "385721"
        placement.applied_name = "Guest #tb-7K2QF9"
        other = get_placement(session, placement_ids[1])
        assert other is not None
        other.status = PlacementStatus.PENDING
        other.last_errcode = -3002
        other.last_error = "gateway offline"
        other.attempts = 1
        other.next_attempt_at_ms = NOW + 30_000

    with store.transaction() as session:
        active = list_placements(session, statuses={PlacementStatus.ACTIVE})
        assert [(p.lock_id, p.keyboard_pwd_id) for p in active] == [(1000002, 24242)]
        pending = list_placements(session, lock_ids=[1000001])
        assert [(p.last_errcode, p.next_attempt_at_ms) for p in pending] == [(-3002, NOW + 30_000)]
        grant = get_grant(session, grant_id)
        assert grant is not None
        assert [p.door for p in grant.placements] == ["room-1", "main-entrance"]


def test_one_placement_per_grant_and_lock(store: Store) -> None:
    grant_id = make_grant(store, "7K2QF9")

    with store.transaction() as session:
        grant = get_grant(session, grant_id)
        assert grant is not None
        add_placement(session, grant, door="room-1", lock_id=1000002, now_ms=NOW)

    with store.transaction() as session:
        grant = get_grant(session, grant_id)
        assert grant is not None
        with pytest.raises(IntegrityError):
            add_placement(session, grant, door="room-1-again", lock_id=1000002, now_ms=NOW)
        session.rollback()


def test_codes_held_on_locks_ignore_deleted_placements(store: Store) -> None:
    kept = make_grant(store, "AAAAA1", code="385721")
    gone = make_grant(store, "BBBBB2", code="904163")
    elsewhere = make_grant(store, "CCCCC3", code="572930")
    with store.transaction() as session:
        for grant_id, lock_id in ((kept, 1000002), (gone, 1000002), (elsewhere, 1000009)):
            grant = get_grant(session, grant_id)
            assert grant is not None
            add_placement(session, grant, door="d", lock_id=lock_id, now_ms=NOW)
    with store.transaction() as session:
        [deleted] = list_placements(session, lock_ids=[1000002], statuses=None)[1:]
        deleted.status = PlacementStatus.DELETED
        [changing] = list_placements(session, lock_ids=[1000002])[:1]
        changing.applied_code = "618394"  # the lock still holds the old code of a modification

    with store.transaction() as session:
        assert codes_held_on(session, [1000002]) == {"385721", "618394"}
        assert codes_held_on(session, []) == set()


def test_deleting_a_grant_removes_its_doors_and_placements(store: Store) -> None:
    grant_id = make_grant(store, "7K2QF9")
    with store.transaction() as session:
        grant = get_grant(session, grant_id)
        assert grant is not None
        add_placement(session, grant, door="room-1", lock_id=1000002, now_ms=NOW)
    with store.transaction() as session:
        grant = get_grant(session, grant_id)
        session.delete(grant)

    with store.transaction() as session:
        assert list_placements(session) == []
        assert list_grants(session) == []
