"""The first configuration from an account's locks: names, shared doors, rooms, the time zone,
and a file that loads as written."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ttlock_bridge.cloud import LockSummary
from ttlock_bridge.config import load_config_text
from ttlock_bridge.service.first_run import (
    UnknownSharedDoor,
    door_name,
    guess_zone,
    likely_shared,
    propose,
    render,
)

NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$")
BERLIN_WINTER_MS = 3_600_000
SOMEWHERE = Path("ttlock-bridge.toml")  # where the text would be: nothing is read from it


def lock(lock_id: int, alias: str, offset_ms: int = BERLIN_WINTER_MS) -> LockSummary:
    return LockSummary(
        lock_id=lock_id, lock_alias=alias, timezone_raw_offset=offset_ms, has_gateway=True
    )


HOTEL = [lock(1_000_001, "Main entrance"), lock(1_000_002, "Room 1"), lock(1_000_003, "Room 2")]


@pytest.mark.parametrize(
    ("alias", "expected"),
    [
        ("Room 1", "room-1"),
        ("Zimmer Süd", "zimmer-sud"),
        ("  --Entrée--  ", "entree"),
        ("会议室", "lock-42"),
        ("x" * 80, "x" * 64),
    ],
)
def test_a_door_is_named_from_its_alias(alias: str, expected: str) -> None:
    assert door_name(alias, 42, taken=()) == expected


def test_a_taken_name_gets_a_number() -> None:
    assert door_name("Room 1", 42, taken={"room-1", "room-1-2"}) == "room-1-3"


@given(st.lists(st.text(max_size=80), min_size=1, max_size=12))
def test_every_proposal_has_valid_distinct_names_and_loads(aliases: list[str]) -> None:
    locks = [lock(1_000_000 + number, alias) for number, alias in enumerate(aliases)]

    proposal = propose(locks, timezone="Europe/Berlin")
    names = [door.name for door in proposal.doors]

    assert all(NAME.match(name) for name in names)
    assert len(set(names)) == len(names)
    config = load_config_text(render(proposal), SOMEWHERE)
    assert {door.lock_id for door in config.doors.values()} == {lk.lock_id for lk in locks}
    assert set(config.rooms) == set(names)


def test_shared_doors_are_named_by_alias_name_or_lock_id_and_open_for_every_room() -> None:
    for wanted in ("main entrance", "main-entrance", "1000001"):
        proposal = propose(HOTEL, shared=[wanted], timezone="Europe/Berlin")
        assert proposal.shared == ["main-entrance"]
        assert proposal.rooms == ["room-1", "room-2"]

    config = load_config_text(render(proposal), SOMEWHERE)
    assert config.rooms["room-2"].all_doors == ("room-2", "main-entrance")


def test_an_unknown_shared_door_names_the_locks_there_are() -> None:
    with pytest.raises(UnknownSharedDoor, match=r"'Room 1' \(room-1, 1000002\)"):
        propose(HOTEL, shared=["Lobby"], timezone="Europe/Berlin")


def test_an_unknown_time_zone_is_refused() -> None:
    with pytest.raises(ValueError, match="IANA"):
        propose(HOTEL, timezone="Europe/Atlantis")


def test_the_entrance_is_shared_by_default_in_several_languages() -> None:
    locks = [*HOTEL, lock(7, "Haustür"), lock(8, "Entrée"), lock(9, "Garden shed")]

    assert likely_shared(locks) == ["7", "8", "1000001"]


@pytest.mark.parametrize("alias", ["Agate Suite", "Highgate", "Sentry", "Delegate 3", "Portals"])
def test_a_room_whose_name_merely_contains_an_entrance_word_is_no_shared_door(alias: str) -> None:
    assert likely_shared([lock(5, alias)]) == []


def test_two_entrances_of_one_name_are_both_shared() -> None:
    locks = [lock(1, "Main entrance"), lock(2, "Main entrance"), lock(3, "Room 1")]

    proposal = propose(locks, shared=likely_shared(locks), timezone="Europe/Berlin")

    assert proposal.shared == ["main-entrance", "main-entrance-2"]
    assert proposal.rooms == ["room-1"]


def test_a_name_of_digits_only_never_reads_as_another_locks_id() -> None:
    assert door_name("2000004", 2_000_013, taken=()) == "lock-2000004"


def test_the_machine_zone_is_taken_when_it_fits_the_locks_in_either_season() -> None:
    summer_set = [lock(1, "a", 2 * 3_600_000)]

    assert guess_zone(summer_set, "Europe/Berlin")[0] == "Europe/Berlin"
    assert guess_zone(HOTEL, "Europe/Berlin")[0] == "Europe/Berlin"


def test_a_machine_elsewhere_gives_the_locks_fixed_offset_and_says_so() -> None:
    zone, reason = guess_zone(HOTEL, "UTC")

    assert zone == "Etc/GMT-1"  # Etc zones count the other way: this is UTC+1
    assert "UTC+1" in reason
    assert "set your real time zone" in reason
    assert guess_zone([], None) == (
        "UTC",
        "no offset known: set your real time zone (e.g. Europe/Berlin)",
    )


def test_the_file_names_the_region_and_where_the_secrets_come_from() -> None:
    text = render(propose(HOTEL, timezone="Europe/Berlin"), api_base="https://euapi.ttlock.com")

    assert 'region = "eu"' in text
    assert "TTLOCK_PASSWORD" in text
