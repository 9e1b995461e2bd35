"""The passcode policy: what counts as trivial, precise rejections, and safe generation."""

from __future__ import annotations

import random

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ttlock_bridge.access.errors import InvalidInput
from ttlock_bridge.access.passcode_policy import (
    CodeDenied,
    CodeNotDigits,
    CodeNotOnKeypad,
    CodeSpaceExhausted,
    CodeTooSimple,
    CodeWrongLength,
    check_keypads,
    common_keys,
    generate_code,
    is_trivial,
    validate_code,
)


class SeededSource:
    """A reproducible stand-in for `secrets`, so failures can be replayed."""

    def __init__(self, generator: random.Random) -> None:
        self._generator = generator

    def randbelow(self, exclusive_upper_bound: int, /) -> int:
        return self._generator.randrange(exclusive_upper_bound)


@pytest.mark.parametrize(
    "code",
    [
        "1111",
        "000000",
        "1234",
        "987654",
        "7890",
        "8901",
        "2109",
        "2468",
        "13579",
        "1212",
        "123123",
        "12341234",
        "112233",
        "998877",
        "1121",
        "900900",
    ],
)
def test_trivial_codes(code: str) -> None:
    assert is_trivial(code)


@pytest.mark.parametrize("code", ["2580", "135790", "4829", "905217", "0715", "31415926"])
def test_ordinary_codes_are_not_trivial(code: str) -> None:
    assert not is_trivial(code)


def test_validate_accepts_a_good_code_with_a_leading_zero() -> None:
    validate_code("071539")


@pytest.mark.parametrize(
    ("code", "error", "message"),
    [
        ("12a456", CodeNotDigits, "only the digits 0-9"),
        ("١٢٣٤٥٦", CodeNotDigits, "only the digits 0-9"),
        ("", CodeNotDigits, "only the digits 0-9"),
        ("385", CodeWrongLength, "4-9 digits; this one has 3"),
        ("3857205916", CodeWrongLength, "4-9 digits; this one has 10"),
        ("123456", CodeTooSimple, "too easy to guess"),
        ("385721", CodeDenied, "deny-list"),
    ],
)
def test_rejections_are_precise_and_never_repeat_the_code(
    code: str, error: type[Exception], message: str
) -> None:
    with pytest.raises(error, match=message) as caught:
        validate_code(code, deny={"385721"})
    assert isinstance(caught.value, InvalidInput)
    assert code == "" or code not in str(caught.value)


def test_length_range_can_be_narrowed() -> None:
    with pytest.raises(CodeWrongLength, match="6-6 digits"):
        validate_code("3857", length_range=(6, 6))


@given(
    length=st.integers(4, 9),
    avoid=st.sets(st.from_regex(r"[1-9]\d{3,8}", fullmatch=True), max_size=50),
    deny=st.sets(st.from_regex(r"\d{4,9}", fullmatch=True), max_size=20),
    seed=st.integers(0, 2**32),
)
def test_generated_codes_are_always_acceptable(
    length: int, avoid: set[str], deny: set[str], seed: int
) -> None:
    code = generate_code(length, avoid=avoid, deny=deny, rng=SeededSource(random.Random(seed)))

    assert len(code) == length
    assert code[0] != "0"
    assert code not in avoid
    assert code not in deny
    validate_code(code, deny=deny)


def test_generation_avoids_taken_codes_even_when_few_are_left() -> None:
    free = {str(number) for number in range(3000, 4000) if not is_trivial(str(number))}
    taken = {str(number) for number in range(1000, 10000)} - free

    for seed in range(20):
        assert generate_code(4, avoid=taken, deny=(), rng=SeededSource(random.Random(seed))) in free


def test_generation_gives_up_with_advice_when_nothing_is_free() -> None:
    taken = {str(number) for number in range(1000, 10000)}

    with pytest.raises(CodeSpaceExhausted, match="use longer codes"):
        generate_code(4, avoid=taken, deny=())


def test_generation_uses_secrets_by_default() -> None:
    codes = {generate_code(9, avoid=(), deny=()) for _ in range(20)}
    assert len(codes) == 20


@pytest.mark.parametrize("length", [3, 10])
def test_generation_refuses_impossible_lengths(length: int) -> None:
    with pytest.raises(ValueError, match="code length must be 4-9"):
        generate_code(length, avoid=(), deny=())


@given(
    length=st.integers(4, 9),
    keys=st.sets(st.sampled_from("0123456789"), min_size=3).map(lambda keys: "".join(sorted(keys))),
    seed=st.integers(0, 2**32),
)
def test_generated_codes_use_only_the_keys_given(length: int, keys: str, seed: int) -> None:
    if keys.replace("0", "") == "":
        return
    try:
        code = generate_code(
            length, avoid=(), deny=(), keys=keys, rng=SeededSource(random.Random(seed))
        )
    except CodeSpaceExhausted:  # e.g. 3 keys, 4 digits: hardly any non-trivial code exists
        assert len(keys) <= 4
        return
    assert set(code) <= set(keys)
    assert code[0] != "0"
    validate_code(code)
    check_keypads(code, {"door": keys})


def test_the_shared_keys_of_a_cylinder_and_a_full_keypad_are_the_cylinders() -> None:
    assert common_keys(["1234567", "0123456789"]) == "1234567"
    assert common_keys([]) == "0123456789"
    with pytest.raises(CodeSpaceExhausted, match="share only the keys"):
        generate_code(6, avoid=(), deny=(), keys=common_keys(["1234567", "0789"]))


def test_a_code_with_a_key_the_keypad_lacks_names_the_door_not_the_code() -> None:
    check_keypads("516273", {"room-1": "1234567", "main": "0123456789"})
    with pytest.raises(CodeNotOnKeypad) as refused:
        check_keypads("582914", {"room-1": "1234567", "main": "0123456789"})
    assert "room-1 (keys 1234567)" in str(refused.value)
    assert "main" not in str(refused.value)
    assert "582914" not in str(refused.value)
