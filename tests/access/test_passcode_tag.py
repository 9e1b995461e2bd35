"""Passcode names carry the grant's tag; only our own names parse back to a tag."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ttlock_bridge.access.passcode_tag import (
    MAX_NAME_LENGTH,
    TAG_ALPHABET,
    TAG_LENGTH,
    format_name,
    new_grant_tag,
    parse_tag,
)

tags = st.text(alphabet=TAG_ALPHABET, min_size=TAG_LENGTH, max_size=TAG_LENGTH)


def test_name_keeps_the_human_part_and_ends_with_the_tag() -> None:
    assert format_name("Room 12 23-25/11", "7K2QF9") == "Room 12 23-25/11 #tb-7K2QF9"


def test_long_human_parts_are_shortened_never_the_tag() -> None:
    name = format_name("Family Papadopoulos-Georgiou, suite with sea view 23-25/11", "7K2QF9")

    assert len(name) == MAX_NAME_LENGTH
    assert name.startswith("Family Papadopoulos-Georgiou")
    assert name.endswith(" #tb-7K2QF9")
    assert parse_tag(name) == "7K2QF9"


def test_an_empty_human_part_leaves_just_the_tag() -> None:
    assert format_name("   ", "7K2QF9") == "#tb-7K2QF9"
    assert parse_tag("#tb-7K2QF9") == "7K2QF9"


@pytest.mark.parametrize("bad", ["7k2qf9", "7K2QF", "7K2QF9X", "ILOU12", ""])
def test_only_well_formed_tags_can_be_written(bad: str) -> None:
    with pytest.raises(ValueError, match="not a grant tag"):
        format_name("Room 1", bad)


def test_parsing_tolerates_case_and_trailing_space() -> None:
    assert parse_tag("room 12 #TB-7k2qf9  ") == "7K2QF9"


@pytest.mark.parametrize(
    "name",
    [
        None,
        "",
        "Room_12 23-25/11",
        "Cleaner",
        "#tb-7K2QF9 Room 12",  # tag not at the end: someone edited the name
        "Room 12#tb-7K2QF9",  # glued to the human part
        "Room 12 #tb-7K2QF",  # too short
        "Room 12 #tb-7K2QF9A",  # too long
        "Room 12 #tb-7K2QFI",  # I is not in the alphabet
        "Room 12 tb-7K2QF9",
    ],
)
def test_other_names_are_not_ours(name: str | None) -> None:
    assert parse_tag(name) is None


@given(human=st.text(max_size=120), tag=tags)
def test_every_formatted_name_parses_back_to_its_tag(human: str, tag: str) -> None:
    name = format_name(human, tag)

    assert len(name) <= MAX_NAME_LENGTH
    assert parse_tag(name) == tag


@given(human=st.text(max_size=80).filter(lambda text: "#tb-" not in text.lower()))
def test_names_without_the_marker_never_parse(human: str) -> None:
    assert parse_tag(human) is None


def test_new_tags_are_well_formed_and_distinct() -> None:
    fresh = [new_grant_tag() for _ in range(200)]

    assert len(set(fresh)) == 200
    assert all(len(tag) == TAG_LENGTH and set(tag) <= set(TAG_ALPHABET) for tag in fresh)
