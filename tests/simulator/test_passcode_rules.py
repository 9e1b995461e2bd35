"""The pure passcode rules, checked over many generated codes."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ttlock_bridge.simulator.errors import ApiError
from ttlock_bridge.simulator.passcode_rules import (
    check_custom_code,
    first_use_deadline,
    is_too_simple,
    random_code,
)


@given(st.integers(min_value=0, max_value=9), st.integers(min_value=4, max_value=9))
def test_repeated_and_consecutive_digits_are_too_simple(first: int, length: int) -> None:
    assert is_too_simple(str(first) * length)
    ascending = "".join(str(digit) for digit in range(first, first + length) if digit <= 9)
    if len(ascending) >= 4:
        assert is_too_simple(ascending)
        assert is_too_simple(ascending[::-1])


@given(st.text(alphabet="0123456789", min_size=4, max_size=9))
def test_a_digit_code_of_valid_length_is_refused_only_for_being_too_simple(code: str) -> None:
    if is_too_simple(code):
        with pytest.raises(ApiError) as refused:
            check_custom_code(code)
        assert refused.value.errcode == -2032
    else:
        check_custom_code(code)


def test_codes_with_a_gap_or_a_wrap_are_fine() -> None:
    assert not is_too_simple("1235")
    assert not is_too_simple("8901")
    assert not is_too_simple("1122")


@given(st.integers(min_value=1, max_value=10**7), st.integers(min_value=1, max_value=14))
def test_random_codes_are_seven_digits_and_repeatable(lock_id: int, passcode_type: int) -> None:
    code = random_code(lock_id, passcode_type, 3_600_000, 7_200_000, salt=0)
    assert len(code) == 7
    assert code.isdigit()
    assert code == random_code(lock_id, passcode_type, 3_600_000, 7_200_000, salt=0)


@given(st.integers(min_value=1, max_value=14), st.integers(min_value=0, max_value=2 * 10**12))
def test_only_permanent_and_period_codes_wait_24_hours_for_their_first_use(
    passcode_type: int, start_ms: int
) -> None:
    deadline = first_use_deadline(passcode_type, start_ms)
    if passcode_type in (2, 3):
        assert deadline == start_ms + 24 * 3_600_000
    else:
        assert deadline is None
