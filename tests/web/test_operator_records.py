"""Operator accounts, sessions, the journal and the sign-in throttle on a real SQLite store,
with a clock the test moves; and the demo's console account."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from argon2 import PasswordHasher

from ttlock_bridge.config import load_config
from ttlock_bridge.operations.accounts import AccountProblem, Accounts
from ttlock_bridge.operations.journal import Journal
from ttlock_bridge.operations.sessions import Sessions
from ttlock_bridge.operations.throttle import SignInThrottle
from ttlock_bridge.service.demo import (
    DEMO_OPERATOR,
    NotADemoFolder,
    demo_operator,
    start_afresh,
    write_demo_config,
)
from ttlock_bridge.store import OperatorRole, Store, open_store

HOUR_MS = 3_600_000
PASSWORD = "a long enough password"


class Clock:
    def __init__(self) -> None:
        self.now_ms = 1_795_000_000_000

    def __call__(self) -> int:
        return self.now_ms


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    opened = open_store(f"sqlite:///{tmp_path / 'console.db'}")
    yield opened
    opened.close()


@pytest.fixture
def clock() -> Clock:
    return Clock()


def fast_accounts(store: Store, clock: Clock) -> Accounts:
    # The lowest Argon2 cost keeps these tests quick; the service uses argon2-cffi's defaults.
    return Accounts(store, clock, PasswordHasher(time_cost=1, memory_cost=8, parallelism=1))


def test_an_account_signs_in_with_its_password_only(store: Store, clock: Clock) -> None:
    accounts = fast_accounts(store, clock)
    added = accounts.add("anna", PASSWORD, OperatorRole.ADMIN)

    assert added.role is OperatorRole.ADMIN
    assert accounts.verify("anna", PASSWORD) == added
    assert accounts.verify("anna", PASSWORD + "!") is None
    assert accounts.verify("nobody", PASSWORD) is None
    assert [account.name for account in accounts.all()] == ["anna"]


@pytest.mark.parametrize(
    ("name", "password", "words"),
    [
        ("anna", "short", "10-256 characters"),
        ("-anna", PASSWORD, "operator name"),
        ("anna", "long enough\u202epassword", "control or direction"),
    ],
)
def test_accounts_refuse_bad_names_and_passwords(
    store: Store, clock: Clock, name: str, password: str, words: str
) -> None:
    with pytest.raises(AccountProblem, match=words):
        fast_accounts(store, clock).add(name, password)


def test_a_name_is_taken_once_and_removing_an_unknown_name_says_so(
    store: Store, clock: Clock
) -> None:
    accounts = fast_accounts(store, clock)
    accounts.add("anna", PASSWORD)
    with pytest.raises(AccountProblem, match="exists already"):
        accounts.add("anna", PASSWORD)
    accounts.remove("anna")
    with pytest.raises(AccountProblem, match="no operator named 'anna'"):
        accounts.remove("anna")


def test_sessions_expire_and_end_with_sign_out_removal_or_a_new_password(
    store: Store, clock: Clock
) -> None:
    accounts = fast_accounts(store, clock)
    accounts.add("anna", PASSWORD)
    sessions = Sessions(store, clock, lifetime_ms=12 * HOUR_MS)

    token, opened = sessions.open("anna")
    assert sessions.find(token) == opened
    clock.now_ms += 12 * HOUR_MS
    assert sessions.find(token) is None

    token, _ = sessions.open("anna")
    sessions.close(token)
    assert sessions.find(token) is None

    token, _ = sessions.open("anna")
    accounts.set_password("anna", "another long password")
    assert sessions.find(token) is None

    token, _ = sessions.open("anna")
    accounts.remove("anna")
    assert sessions.find(token) is None


def test_the_store_keeps_no_session_cookie(store: Store, clock: Clock) -> None:
    fast_accounts(store, clock).add("anna", PASSWORD)
    token, _ = Sessions(store, clock, HOUR_MS).open("anna")

    with store.transaction() as session:
        dump = "\n".join(session.connection().connection.iterdump())
    assert token not in dump


def test_the_journal_keeps_actions_newest_first(store: Store, clock: Clock) -> None:
    journal = Journal(store, clock)
    journal.record("anna", "issued", grant_id=7, detail="room-2")
    clock.now_ms += 1000
    journal.record("ola", "unlocked", door="room-2")

    assert [(a.operator, a.action) for a in journal.read()] == [
        ("ola", "unlocked"),
        ("anna", "issued"),
    ]
    assert [a.action for a in journal.read(grant_id=7)] == ["issued"]


def test_the_throttle_waits_longer_after_each_further_failure(clock: Clock) -> None:
    throttle = SignInThrottle(clock, allowed=3)
    for _ in range(3):
        assert throttle.wait_ms("anna", "10.0.0.1") == 0
        throttle.failed("anna", "10.0.0.1")
    assert throttle.wait_ms("anna", "10.0.0.1") == 30_000
    assert throttle.wait_ms("ANNA", "10.0.0.2") == 30_000  # by name, whatever the address
    assert throttle.wait_ms("bert", "10.0.0.1") == 30_000  # by address, whatever the name
    clock.now_ms += 30_000
    throttle.failed("anna", "10.0.0.1")
    assert throttle.wait_ms("anna", "10.0.0.1") == 60_000
    throttle.succeeded("anna", "10.0.0.1")
    assert throttle.wait_ms("anna", "10.0.0.1") == 0


def test_the_throttle_forgets_after_fifteen_minutes(clock: Clock) -> None:
    throttle = SignInThrottle(clock, allowed=1)
    throttle.failed("anna", "10.0.0.1")
    clock.now_ms += 15 * 60_000 + 1

    assert throttle.wait_ms("anna", "10.0.0.1") == 0


def test_the_demo_starts_afresh_with_a_new_password_each_run(tmp_path: Path) -> None:
    config = load_config(
        write_demo_config(tmp_path, "http://127.0.0.1:9", host="127.0.0.1", port=8080)
    )
    first = demo_operator(config)
    start_afresh(tmp_path)  # the next run
    second = demo_operator(config)

    store = open_store(config.store_url)
    try:
        accounts = Accounts(store, Clock())
        assert accounts.verify(DEMO_OPERATOR, first) is None
        verified = accounts.verify(DEMO_OPERATOR, second)
        assert verified is not None
        assert verified.role is OperatorRole.ADMIN
    finally:
        store.close()


def test_the_demo_never_empties_a_database_it_did_not_make(tmp_path: Path) -> None:
    open_store(f"sqlite:///{tmp_path / 'ttlock-bridge.db'}").close()  # e.g. after `login`

    with pytest.raises(NotADemoFolder, match="--data-dir"):
        start_afresh(tmp_path)

    assert (tmp_path / "ttlock-bridge.db").exists()
