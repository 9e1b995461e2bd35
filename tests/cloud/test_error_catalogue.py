"""The error catalogue: every errcode lands in the right class, with guidance and retry flag."""

import pytest

from ttlock_bridge.cloud.errors import (
    CATALOGUE,
    GENERIC_GUIDANCE,
    AuthError,
    ClockError,
    GatewayError,
    LockError,
    PasscodeError,
    PermissionDenied,
    QuotaError,
    TTLockError,
    error_for,
)


@pytest.mark.parametrize(
    ("errcode", "kind"),
    [
        (10000, AuthError),
        (10001, AuthError),
        (10003, AuthError),
        (10004, AuthError),
        (10007, AuthError),
        (10011, AuthError),
        (30005, AuthError),
        (20002, PermissionDenied),
        (-2018, PermissionDenied),
        (-2012, GatewayError),
        (-3002, GatewayError),
        (-3003, GatewayError),
        (-3037, GatewayError),
        (-4043, LockError),
        (-1003, LockError),
        (-2025, LockError),
        (-3006, PasscodeError),
        (-3007, PasscodeError),
        (-2032, PasscodeError),
        (-3009, PasscodeError),
        (-1026, PasscodeError),
        (30006, QuotaError),
        (30007, QuotaError),
        (80000, ClockError),
    ],
)
def test_errcodes_map_to_their_class(errcode: int, kind: type[TTLockError]) -> None:
    error = error_for(errcode, "errmsg from TTLock")
    assert type(error) is kind
    assert error.errcode == errcode
    assert error.message == "errmsg from TTLock"


@pytest.mark.parametrize("errcode", [1, -3003, -3037, 90000])
def test_busy_and_flaky_answers_are_transient(errcode: int) -> None:
    assert error_for(errcode, "").transient


@pytest.mark.parametrize("errcode", [-2012, -3002, -4043, -3007, 10004, 10007, 30007, 80000])
def test_answers_that_repeat_identically_are_permanent(errcode: int) -> None:
    assert not error_for(errcode, "").transient


def test_remote_unlock_switched_off_tells_where_to_switch_it_on() -> None:
    error = error_for(-4043, "The function is not supported for this lock.", "/v3/lock/unlock")
    assert "Remote unlock is switched off" in error.guidance
    assert "TTLock app" in error.guidance
    assert str(error).endswith(
        "(TTLock errcode -4043: The function is not supported for this lock.)"
    )


@pytest.mark.parametrize(
    ("path", "words"),
    [
        ("/v3/lock/lock", "cannot be locked remotely"),
        ("/v3/lock/configPassageMode", "no passage mode"),
        ("/v3/keyboardPwd/add", "does not accept custom passcodes"),
        ("/v3/keyboardPwd/change", "does not accept passcode changes"),
        ("/v3/keyboardPwd/delete", "does not accept passcode deletion"),
        ("/v3/lock/queryOpenState", "does not support this function"),
        (None, "does not support this function"),
    ],
)
def test_function_not_supported_gives_the_hint_for_the_command_that_was_sent(
    path: str | None, words: str
) -> None:
    error = error_for(-4043, "The function is not supported for this lock.", path)
    assert words in error.guidance
    assert "unlock" not in error.guidance.lower()


def test_unknown_errcodes_still_give_a_ttlock_error_with_generic_guidance() -> None:
    error = error_for(-9999, "something new")
    assert type(error) is TTLockError
    assert error.guidance == GENERIC_GUIDANCE
    assert not error.transient


def test_every_guidance_is_one_line_a_person_can_read() -> None:
    for errcode, entry in CATALOGUE.items():
        assert "\n" not in entry.guidance, errcode
        assert entry.guidance[0].isupper(), errcode
        assert not entry.guidance.endswith("."), errcode
