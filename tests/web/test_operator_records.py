"""Operator accounts, sessions, the journal and the sign-in throttle on a real SQLite store,
with a clock the test moves; and the demo's console account."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from argon2 import PasswordHasher
from sqlalchemy import text

from ttlock_bridge.config import load_config
from ttlock_bridge.operations.accounts import AccountProblem, Accounts, shown_name
from ttlock_bridge.operations.journal import Journal
from ttlock_bridge.operations.sessions import Sessions
from ttlock_bridge.operations.throttle import NAME_FIRST_WAIT_MS, NAME_MAX_WAIT_MS, SignInThrottle
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


def test_names_are_one_account_whatever_their_case(store: Store, clock: Clock) -> None:
    accounts = fast_accounts(store, clock)
    added = accounts.add("Anna", PASSWORD)

    assert added.name == "anna"
    with pytest.raises(AccountProblem, match="'anna' exists already"):
        accounts.add("ANNA", PASSWORD)
    assert accounts.verify("ANNA", PASSWORD) == added
    accounts.set_password("aNNa", "another long password")
    assert accounts.verify("anna", "another long password") == added
    accounts.remove("ANNA")
    assert accounts.all() == []


def test_a_name_stored_in_mixed_case_before_is_found_in_any_case(
    store: Store, clock: Clock
) -> None:
    accounts = fast_accounts(store, clock)
    accounts.add("legacy", PASSWORD)
    with store.transaction() as session:
        session.execute(text("UPDATE operators SET name = 'Legacy'"))

    verified = accounts.verify("LEGACY", PASSWORD)
    assert verified is not None
    assert verified.name == "Legacy"
    with pytest.raises(AccountProblem, match="exists already"):
        accounts.add("legacy", PASSWORD)


def test_a_typed_name_is_shown_in_logs_only_with_the_characters_a_name_can_hold() -> None:
    assert shown_name("anna.b@x-1_2") == "anna.b@x-1_2"
    assert shown_name("anna\nevent=forged \u202e") == "anna?event?forged??"
    assert shown_name("x" * 500) == "x" * 64


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


def fail(throttle: SignInThrottle, name: str, address: str, times: int = 1) -> None:
    """`times` tries that were let through and failed."""
    for _ in range(times):
        assert throttle.reserve(name, address) == 0
        throttle.failed(name, address)


def test_one_address_guessing_one_name_waits_longer_after_each_further_failure(
    clock: Clock,
) -> None:
    throttle = SignInThrottle(clock, allowed=3)
    fail(throttle, "anna", "10.0.0.1", times=3)

    assert throttle.reserve("anna", "10.0.0.1") == 30_000
    clock.now_ms += 30_000
    fail(throttle, "ANNA", "10.0.0.1")  # names count whatever their case
    assert throttle.reserve("anna", "10.0.0.1") == 60_000
    clock.now_ms += 60_000
    assert throttle.reserve("anna", "10.0.0.1") == 0
    throttle.succeeded("anna", "10.0.0.1")
    assert throttle.reserve("anna", "10.0.0.1") == 0


def test_a_try_is_counted_when_it_is_let_through_so_parallel_tries_cannot_pass_the_limit(
    clock: Clock,
) -> None:
    throttle = SignInThrottle(clock, allowed=5)
    let_through = [throttle.reserve("ola", "10.9.9.9") for _ in range(30)]  # none answered yet

    assert let_through.count(0) == 5


def test_strangers_failing_for_a_name_delay_it_at_most_a_minute(clock: Clock) -> None:
    throttle = SignInThrottle(clock, allowed=5)
    for number in range(5):
        fail(throttle, "victim", f"10.1.0.{number}")

    assert throttle.reserve("victim", "10.2.0.1") == NAME_FIRST_WAIT_MS
    for number in range(40):  # a botnet that tries again whenever it may
        clock.now_ms += throttle.reserve("victim", f"10.3.{number}.1") or 0
        assert throttle.reserve("victim", f"10.3.{number}.1") == 0
    waits = throttle.reserve("victim", "10.2.0.1")
    assert 0 < waits <= NAME_MAX_WAIT_MS == 60_000
    clock.now_ms += waits
    assert throttle.reserve("victim", "10.2.0.1") == 0  # the person gets in after a minute


def test_a_browser_that_signed_in_as_the_name_before_skips_the_names_wait(clock: Clock) -> None:
    throttle = SignInThrottle(clock, allowed=5)
    token = throttle.known_browser_token("Victim")
    for number in range(8):
        clock.now_ms += NAME_MAX_WAIT_MS
        fail(throttle, "victim", f"10.1.0.{number}")

    assert throttle.reserve("victim", "10.2.0.1") > 0
    assert throttle.is_known_browser("VICTIM", [token])
    assert not throttle.is_known_browser("ola", [token])
    assert throttle.reserve("victim", "10.2.0.1", known_browser=True) == 0


def test_an_address_trying_many_names_waits_after_its_own_allowance(clock: Clock) -> None:
    throttle = SignInThrottle(clock, allowed=5, address_allowed=20)
    for number in range(19):
        fail(throttle, f"name-{number}", "10.0.0.1")
    assert throttle.reserve("anna", "10.0.0.2") == 0  # other addresses are not concerned
    fail(throttle, "name-19", "10.0.0.1")

    assert throttle.reserve("anna", "10.0.0.1") == 30_000


def test_a_success_forgives_its_own_addresses_failures_not_the_strangers(clock: Clock) -> None:
    throttle = SignInThrottle(clock, allowed=3)
    fail(throttle, "anna", "10.0.0.1", times=2)  # strangers
    fail(throttle, "anna", "10.0.0.3")  # anna's typo
    assert throttle.reserve("anna", "10.0.0.3") == NAME_FIRST_WAIT_MS
    clock.now_ms += NAME_FIRST_WAIT_MS
    assert throttle.reserve("anna", "10.0.0.3") == 0
    throttle.succeeded("anna", "10.0.0.3")

    assert throttle.reserve("anna", "10.0.0.4") == 0  # the two strangers' failures stay:
    assert throttle.reserve("anna", "10.0.0.4") == NAME_FIRST_WAIT_MS  # and this third one


def test_the_throttle_forgets_after_fifteen_minutes(clock: Clock) -> None:
    throttle = SignInThrottle(clock, allowed=1)
    fail(throttle, "anna", "10.0.0.1")
    clock.now_ms += 15 * 60_000 + 1

    assert throttle.reserve("anna", "10.0.0.1") == 0


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
