"""A room's doors must share enough keypad keys for a code that can be typed on every door and
is hard to guess; `check-config` says so before any guest gets a code."""

from __future__ import annotations

from pathlib import Path

import pytest

from ttlock_bridge.config import ConfigError, load_config

BASE = """
[property]
name = "t"
timezone = "Europe/Berlin"
[defaults]
code_length = {length}
[doors.room-1]
lock_id = 1
keypad = "{room_keys}"
[doors.main]
lock_id = 2
keypad = "{main_keys}"
[rooms.room-1]
doors = ["room-1"]
shared_doors = ["main"]
"""


def load(tmp_path: Path, room_keys: str, main_keys: str, length: int = 6) -> None:
    path = tmp_path / "t.toml"
    path.write_text(BASE.format(room_keys=room_keys, main_keys=main_keys, length=length))
    load_config(path)


@pytest.mark.parametrize(("room_keys", "main_keys"), [("0123", "456789"), ("0123", "3456789")])
def test_doors_of_a_room_that_share_too_few_keys_are_refused(
    tmp_path: Path, room_keys: str, main_keys: str
) -> None:
    with pytest.raises(ConfigError) as refused:
        load(tmp_path, room_keys, main_keys)

    [problem] = refused.value.problems
    assert problem.key == "rooms.room-1"
    assert "share" in problem.message


def test_too_few_combinations_ask_for_a_longer_code(tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as refused:
        load(tmp_path, "017", "0123456789", length=6)

    [problem] = refused.value.problems
    assert problem.key == "defaults.code_length"
    assert "729" in problem.message


def test_a_seven_key_cylinder_keypad_with_six_digits_is_fine(tmp_path: Path) -> None:
    load(tmp_path, "1234567", "0123456789", length=6)  # 7**6 = 117,649 codes
