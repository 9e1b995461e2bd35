"""The service's pure parts: lock state rules, callback reading, metrics text, redaction, the
API token file and the database token store (on a real SQLite file)."""

from __future__ import annotations

import json
import logging
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest
from prometheus_client import CollectorRegistry, generate_latest
from prometheus_client.core import Metric
from prometheus_client.registry import Collector

from ttlock_bridge.cloud import BoltState, StoredToken
from ttlock_bridge.locks.callback import UnreadableCallback, read_callback
from ttlock_bridge.locks.state import AUTO_LOCK_SOURCE, LockStates
from ttlock_bridge.operations.api_token import api_token
from ttlock_bridge.operations.logs import REDACTED, RedactingFormatter
from ttlock_bridge.operations.metrics import CloudCallMetrics, MetricsSnapshot, snapshot_families
from ttlock_bridge.store import open_store
from ttlock_bridge.store.token_store import DatabaseTokenStore


def test_an_unlock_turns_into_an_inferred_lock_after_the_auto_lock_time() -> None:
    states = LockStates()
    states.record_bolt(7, BoltState.UNLOCKED, source="callback", at_ms=1_000, auto_lock_seconds=5)

    before = states.get(7, now_ms=5_999)
    after = states.get(7, now_ms=6_000)

    assert (before.bolt, before.bolt_inferred) == (BoltState.UNLOCKED, False)
    assert (after.bolt, after.bolt_source, after.bolt_at_ms) == (
        BoltState.LOCKED,
        AUTO_LOCK_SOURCE,
        6_000,
    )
    assert after.bolt_inferred is True


def test_no_inference_without_an_auto_lock_time() -> None:
    states = LockStates()
    states.record_bolt(7, BoltState.UNLOCKED, source="command", at_ms=1_000, auto_lock_seconds=0)

    assert states.get(7, now_ms=10**9).bolt is BoltState.UNLOCKED


def test_an_older_reading_does_not_replace_a_newer_one() -> None:
    states = LockStates()
    states.record_bolt(7, BoltState.LOCKED, source="callback", at_ms=2_000)
    states.record_battery(7, 80, source="callback", at_ms=2_000)

    taken = states.record_bolt(7, BoltState.UNLOCKED, source="callback", at_ms=1_000)
    states.record_battery(7, 90, source="callback", at_ms=1_000)

    assert taken is False
    assert (states.get(7, 3_000).bolt, states.get(7, 3_000).battery) == (BoltState.LOCKED, 80)


def test_the_console_test_sample_is_read_with_its_record_lock_id() -> None:
    form = {
        "notifyType": "1",
        "lockId": "222",
        "lockMac": "22:22:22:22:22:22",
        "admin": "test@ttlock.com",
        "records": json.dumps(
            [{"lockId": 232332, "recordType": 4, "recordTypeFromLock": 4, "success": 1,
              "keyboardPwd": "123456", "lockDate": 1680810174000, "serverDate": 1680810180029}]
        ),
    }  # fmt: skip

    [record] = read_callback(form)

    assert record.lock_id == 232332
    assert record.masked_code == "****56"
    assert record.username is None
    assert "123456" not in record.dedupe_key


@pytest.mark.parametrize(
    "form",
    [
        {},
        {"notifyType": "1", "lockId": "1", "records": "not json"},
        {"notifyType": "1", "lockId": "1", "records": "[1, 2]"},
        {"notifyType": "1", "lockId": "1", "records": '[{"recordType": "x", "lockDate": 1}]'},
        {"notifyType": "1", "lockId": "1", "records": '[{"recordType": 4}]'},
    ],
)
def test_unreadable_callbacks_say_why(form: dict[str, str]) -> None:
    with pytest.raises(UnreadableCallback):
        read_callback(form)


def test_metrics_render_in_prometheus_text_format() -> None:
    registry = CollectorRegistry()
    snapshot = MetricsSnapshot(
        cloud_calls_today={"/v3/lock/unlock": 3},
        cloud_calls_month={"/v3/lock/unlock": 40},
        reconciler_queue=4,
        grants_by_state={"active": 2},
        callbacks={"received": 5},
        door_gateways={"room-1": "online", "room-2": None},
        clock_drifts={"room-1": 300},
        monthly_budget=20_000,
        projected_month=120,
    )
    registry.register(_Fixed(snapshot))
    CloudCallMetrics(registry).count_error(None)

    text = generate_latest(registry).decode()

    # prometheus_client writes every value as a float ("40.0")
    assert 'ttlock_bridge_cloud_calls{endpoint="/v3/lock/unlock",period="month"} 40.0' in text
    assert 'ttlock_bridge_cloud_errors_total{errcode="none"} 1.0' in text
    assert "ttlock_bridge_reconciler_queue 4.0\n" in text
    assert "# TYPE ttlock_bridge_callbacks_total counter" in text
    assert text.endswith("\n")


class _Fixed(Collector):
    def __init__(self, snapshot: MetricsSnapshot) -> None:
        self.snapshot = snapshot

    def collect(self) -> Iterator[Metric]:
        return snapshot_families(self.snapshot)


def test_logs_hide_known_secrets_and_values_after_sensitive_keys() -> None:
    formatter = RedactingFormatter(["s3cret-token-value"])
    record = logging.LogRecord(
        "x", logging.INFO, __file__, 1, "auth %s keyboardPwd=583190 code: 694021 lock_id=7",
        ("Bearer s3cret-token-value",), None,
    )  # fmt: skip

    line = formatter.format(record)

    assert "s3cret-token-value" not in line
    assert "583190" not in line
    assert "694021" not in line
    assert REDACTED in line
    assert "lock_id=7" in line


def test_the_generated_api_token_is_kept_owner_only(tmp_path: Path) -> None:
    first = api_token(tmp_path, environment={})
    again = api_token(tmp_path, environment={})

    assert first == again
    assert len(first) >= 40
    mode = stat.S_IMODE((tmp_path / "api-token").stat().st_mode)
    assert mode == 0o600
    assert api_token(tmp_path, environment={"BRIDGE_API_TOKEN": "from-env"}) == "from-env"


async def test_the_database_token_store_round_trips(tmp_path: Path) -> None:
    store = open_store(f"sqlite:///{tmp_path / 'bridge.db'}")
    tokens = DatabaseTokenStore(store, "https://euapi.ttlock.com", "demo@example.com")
    token = StoredToken(
        username="demo@example.com",
        access_token="a" * 32,
        refresh_token="r" * 32,
        issued_at_ms=1,
        expires_at_ms=2,
        uid=9,
    )

    assert await tokens.load() is None
    await tokens.save(token)
    assert await tokens.load() == token
    await tokens.clear()
    assert await tokens.load() is None
    store.close()
