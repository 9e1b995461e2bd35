"""The grant write turn makes check-then-write transactions take turns on each database, and
idempotency keys round-trip."""

from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor
from threading import Barrier

from sqlalchemy import text

from ttlock_bridge.store import Store
from ttlock_bridge.store.grants import DoorRef, add_grant, take_grant_write_turn
from ttlock_bridge.store.idempotency import find_key, forget_keys_before, remember_key
from ttlock_bridge.store.placements import add_placement, codes_held_on

NOW = 1_795_000_000_000
DAY = 86_400_000
ENTRANCE = DoorRef("main-entrance", 1000001)


def claim(store: Store, tag: str, code: str, start: Barrier) -> bool:
    """Check that `code` is free on the entrance, dawdle, then record a grant holding it."""
    start.wait()
    with store.transaction() as session:
        take_grant_write_turn(session)
        if code in codes_held_on(session, [ENTRANCE.lock_id]):
            return False
        time.sleep(0.2)  # a slow check: without the turn, the other one passes it meanwhile
        grant = add_grant(
            session,
            tag=tag,
            name=tag,
            room=None,
            code=code,
            code_generated=False,
            start_ms=NOW,
            end_ms=NOW + DAY,
            doors=[ENTRANCE],
            now_ms=NOW,
        )
        add_placement(session, grant, door=ENTRANCE.door, lock_id=ENTRANCE.lock_id, now_ms=NOW)
        return True


def test_check_then_write_transactions_take_turns(store: Store) -> None:
    start = Barrier(4)
    with ThreadPoolExecutor(4) as pool:
        claimed = list(
            pool.map(lambda tag: claim(store, tag, "638402", start), ["A1", "A2", "A3", "A4"])
        )

    assert sorted(claimed) == [False, False, False, True]


def test_idempotency_keys_are_found_then_forgotten(store: Store) -> None:
    start = Barrier(1)
    claim(store, "B1", "472915", start)
    with store.transaction() as session:
        [grant_id] = [
            row.grant_id for row in session.execute(text("SELECT id AS grant_id FROM grants"))
        ]
        remember_key(session, "key-1", fingerprint="f" * 64, grant_id=grant_id, now_ms=NOW)

    with store.transaction() as session:
        found = find_key(session, "key-1")
        assert found is not None
        assert (found.fingerprint, found.grant_id) == ("f" * 64, grant_id)
        assert forget_keys_before(session, NOW) == 0
        assert forget_keys_before(session, NOW + 1) == 1
        assert find_key(session, "key-1") is None
