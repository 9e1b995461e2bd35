"""Tokens, cloud-call counters and events: the upserts behave the same on both databases."""

from __future__ import annotations

from ttlock_bridge.store import EventSource, Store
from ttlock_bridge.store.cloud_calls import call_periods, cloud_call_counts, record_cloud_calls
from ttlock_bridge.store.events import add_event, recent_events
from ttlock_bridge.store.tokens import forget_token, load_token, save_token

EU = "https://euapi.ttlock.com"
NOV_22_2026_23H = 1_795_388_400_000  # 2026-11-22T23:00:00Z


def save(store: Store, access: str, *, username: str = "bridge_owner") -> None:
    with store.transaction() as session:
        save_token(
            session,
            api_base=EU,
            username=username,
            access_token=access,
            refresh_token=f"refresh-{access}",
            issued_at_ms=1000,
            expires_at_ms=1000 + 90 * 86_400_000,
            uid=4242,
            now_ms=2000,
        )


def test_tokens_are_saved_replaced_and_forgotten_per_account(store: Store) -> None:
    save(store, "first")
    save(store, "second")
    save(store, "other", username="someone_else")

    with store.transaction() as session:
        token = load_token(session, EU, "bridge_owner")
        assert token is not None
        assert (token.access_token, token.refresh_token, token.uid) == (
            "second",
            "refresh-second",
            4242,
        )
        assert load_token(session, "https://cnapi.ttlock.com", "bridge_owner") is None
        forget_token(session, EU, "bridge_owner")

    with store.transaction() as session:
        assert load_token(session, EU, "bridge_owner") is None
        assert load_token(session, EU, "someone_else") is not None


def test_token_rows_do_not_show_secrets_in_their_repr(store: Store) -> None:
    save(store, "very-secret-access")
    with store.transaction() as session:
        token = load_token(session, EU, "bridge_owner")

    assert "very-secret-access" not in repr(token)


def test_call_periods_are_utc_day_and_month() -> None:
    assert call_periods(NOV_22_2026_23H) == ("2026-11-22", "2026-11")
    assert call_periods(NOV_22_2026_23H + 3_600_000) == ("2026-11-23", "2026-11")


def test_cloud_calls_add_up_per_endpoint_day_and_month(store: Store) -> None:
    next_day = NOV_22_2026_23H + 3_600_000
    with store.transaction() as session:
        record_cloud_calls(session, "/v3/keyboardPwd/add", NOV_22_2026_23H)
        record_cloud_calls(session, "/v3/keyboardPwd/add", NOV_22_2026_23H, calls=2)
        record_cloud_calls(session, "/v3/lock/list", NOV_22_2026_23H)
    with store.transaction() as session:
        record_cloud_calls(session, "/v3/keyboardPwd/add", next_day)

    with store.transaction() as session:
        assert cloud_call_counts(session, "2026-11-22") == {
            "/v3/keyboardPwd/add": 3,
            "/v3/lock/list": 1,
        }
        assert cloud_call_counts(session, "2026-11-23") == {"/v3/keyboardPwd/add": 1}
        assert cloud_call_counts(session, "2026-11") == {
            "/v3/keyboardPwd/add": 4,
            "/v3/lock/list": 1,
        }
        assert cloud_call_counts(session, "2026-12") == {}


def record(store: Store, key: str, lock_id: int, lock_date_ms: int, source: EventSource) -> bool:
    with store.transaction() as session:
        return add_event(
            session,
            dedupe_key=key,
            lock_id=lock_id,
            record_type=4,
            record_type_from_lock=None,
            success=True,
            username=None,
            masked_code="38****",
            lock_date_ms=lock_date_ms,
            server_date_ms=lock_date_ms + 500,
            source=source,
        )


def test_an_event_reported_twice_is_stored_once(store: Store) -> None:
    assert record(
        store, "1000001:1795000000000:4", 1000001, 1_795_000_000_000, EventSource.CALLBACK
    )
    assert not record(
        store, "1000001:1795000000000:4", 1000001, 1_795_000_000_000, EventSource.POLL
    )
    assert record(store, "1000001:1795000060000:4", 1000001, 1_795_000_060_000, EventSource.POLL)
    assert record(store, "1000002:1795000030000:4", 1000002, 1_795_000_030_000, EventSource.POLL)

    with store.transaction() as session:
        events = recent_events(session)
        # the last to arrive first, whatever the locks' clocks say (DESIGN invariant 8)
        assert [event.lock_date_ms for event in events] == [
            1_795_000_030_000,
            1_795_000_060_000,
            1_795_000_000_000,
        ]
        assert events[-1].source is EventSource.CALLBACK
        assert events[-1].masked_code == "38****"
        only_entrance = recent_events(session, lock_id=1000001, limit=1)
        assert [event.lock_date_ms for event in only_entrance] == [1_795_000_060_000]
