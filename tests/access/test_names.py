"""Names any channel stores: one rule, checked in the access core, never cut silently."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ttlock_bridge.access.errors import InvalidInput, UnsafeText
from ttlock_bridge.access.text import MAX_NAME_CHARS, checked_name


def test_spaces_collapse() -> None:
    assert checked_name("  Anna   Smith ") == "Anna Smith"


def test_a_name_at_the_limit_is_kept_whole() -> None:
    assert checked_name("x" * MAX_NAME_CHARS) == "x" * MAX_NAME_CHARS


@pytest.mark.parametrize("length", [MAX_NAME_CHARS + 1, 1_000, 100_000])
def test_a_longer_name_is_refused_with_its_length(length: int) -> None:
    with pytest.raises(InvalidInput, match=f"is {length} characters long"):
        checked_name("x" * length)


def test_blank_and_unsafe_names_are_refused() -> None:
    with pytest.raises(InvalidInput, match="blank"):
        checked_name("   ")
    with pytest.raises(UnsafeText, match=r"U\+202E"):
        checked_name("Anna\u202eevil")


@given(st.text(alphabet=st.characters(categories=("L", "N", "Zs")), max_size=3 * MAX_NAME_CHARS))
def test_every_accepted_name_is_short_plain_and_unchanged_by_a_second_check(text: str) -> None:
    try:
        name = checked_name(text)
    except InvalidInput:
        return
    assert 0 < len(name) <= MAX_NAME_CHARS
    assert checked_name(name) == name
