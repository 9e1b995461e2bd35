"""Pure decisions: retry delays, quota counting, token renewal, clock offset, regions."""

import random
from datetime import UTC, datetime

import pytest

from ttlock_bridge.cloud.clock import server_time_ms
from ttlock_bridge.cloud.credentials import Credentials, password_md5
from ttlock_bridge.cloud.errors import TransportError, error_for
from ttlock_bridge.cloud.regions import api_base
from ttlock_bridge.cloud.retry import RetryPolicy
from ttlock_bridge.cloud.tokens import StoredToken

BUSY = error_for(-3003, "gateway busy")


def test_retry_delays_grow_exponentially_with_jitter_up_to_the_cap() -> None:
    policy = RetryPolicy(base_delay=1.0, max_delay=4.0, max_attempts=10, max_elapsed=1000.0)
    for attempt, ceiling in [(1, 1.0), (2, 2.0), (3, 4.0), (4, 4.0), (6, 4.0)]:
        delay = policy.delay_after(BUSY, attempt, elapsed=0.0)
        assert delay is not None
        assert ceiling / 2 <= delay <= ceiling


def test_retry_jitter_spreads_callers_apart() -> None:
    policy = RetryPolicy(rng=random.Random(7))
    delays = {policy.delay_after(BUSY, 2, 0.0) for _ in range(20)}
    assert len(delays) > 10


def test_retries_stop_after_the_attempt_limit_or_the_time_budget() -> None:
    policy = RetryPolicy(base_delay=1.0, max_delay=8.0, max_attempts=3, max_elapsed=5.0)
    assert policy.delay_after(BUSY, 3, elapsed=0.0) is None
    assert policy.delay_after(BUSY, 2, elapsed=4.5) is None
    assert policy.delay_after(BUSY, 1, elapsed=0.0) is not None


@pytest.mark.parametrize("errcode", [-2012, -4043, -3007, 10004])
def test_permanent_errors_are_never_retried(errcode: int) -> None:
    assert RetryPolicy().delay_after(error_for(errcode, ""), 1, 0.0) is None


def test_transport_failures_are_retried() -> None:
    failure = TransportError(None, "ConnectError", "no network", transient=True)
    assert RetryPolicy().delay_after(failure, 1, 0.0) is not None


def _token(issued: int, expires: int) -> StoredToken:
    return StoredToken(
        username="u",
        access_token="a" * 32,
        refresh_token="r" * 32,
        issued_at_ms=issued,
        expires_at_ms=expires,
    )


def test_a_ninety_day_token_is_renewed_one_day_before_expiry() -> None:
    day = 24 * 3600 * 1000
    token = _token(0, 90 * day)
    assert not token.needs_refresh(89 * day - 1)
    assert token.needs_refresh(89 * day)


def test_a_short_lived_token_is_renewed_in_its_last_tenth() -> None:
    token = _token(0, 60_000)
    assert not token.needs_refresh(53_999)
    assert token.needs_refresh(54_000)


def test_passwords_are_md5_lowercase_hex_and_hashes_pass_through() -> None:
    digest = password_md5("123456")
    assert digest == "e10adc3949ba59abbe56e057f20f883e"
    assert password_md5(digest.upper()) == digest


def test_credentials_never_show_secrets_in_repr() -> None:
    credentials = Credentials.with_password("id", "the-secret", "me@example.com", "pw")
    assert "the-secret" not in repr(credentials)
    assert credentials.password_md5 not in repr(credentials)


def test_server_time_comes_from_the_date_header() -> None:
    assert server_time_ms(["Sun, 22 Nov 2026 10:00:00 GMT"]) == int(
        datetime(2026, 11, 22, 10, tzinfo=UTC).timestamp() * 1000
    )
    assert server_time_ms(["not a date"]) is None
    assert server_time_ms([]) is None


def test_regions_and_explicit_urls() -> None:
    assert api_base("eu") == "https://euapi.ttlock.com"
    assert api_base("CN") == "https://cnapi.ttlock.com"
    assert api_base("global") == "https://api.ttlock.com"
    assert api_base("http://127.0.0.1:8900/") == "http://127.0.0.1:8900"
    with pytest.raises(ValueError, match="Unknown TTLock region"):
        api_base("mars")
