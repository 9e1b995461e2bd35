"""The `[knx]` section: room blocks from the forum's offsets, checked against rooms and doors."""

from __future__ import annotations

from pathlib import Path

import pytest

from ttlock_bridge.config import ConfigError, Problem, load_config

BASE = """
[property]
name = "Hotel Aurora"
timezone = "Europe/Athens"

[doors.main-entrance]
lock_id = 1000001
[doors.room-12]
lock_id = 1000002

[rooms.room-12]
doors = ["room-12"]
shared_doors = ["main-entrance"]
"""


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "ttlock-bridge.toml"
    path.write_text(BASE + text, encoding="utf-8")
    return path


def problems_of(path: Path) -> dict[str, Problem]:
    with pytest.raises(ConfigError) as caught:
        load_config(path)
    return {problem.key: problem for problem in caught.value.problems}


def test_no_knx_section_means_no_channel(tmp_path: Path) -> None:
    assert load_config(write(tmp_path, "")).knx is None


def test_room_block_defaults_to_the_forum_offsets(tmp_path: Path) -> None:
    text = """
[knx]
gateway_ip = "192.0.2.10"
[knx.rooms.room-12]
base = "1/1/0"
"""
    knx = load_config(write(tmp_path, text)).knx

    assert knx is not None
    assert knx.connection == "tunneling"
    assert knx.gateway_port == 3671
    assert knx.room_addresses("room-12") == {
        "trigger": "1/1/0",
        "code": "1/1/1",
        "name": "1/1/2",
        "from_date": "1/1/3",
        "from_time": "1/1/4",
        "to_date": "1/1/5",
        "to_time": "1/1/6",
        "grant_id": "1/1/8",
        "status": "1/1/9",
    }


def test_offsets_can_be_overridden_per_room(tmp_path: Path) -> None:
    text = """
[knx]
gateway_ip = "192.0.2.10"
[knx.rooms.room-12]
base = "2/3/100"
offsets = { status = 7, grant_id = 10 }
"""
    knx = load_config(write(tmp_path, text)).knx

    assert knx is not None
    addresses = knx.room_addresses("room-12")
    assert addresses["status"] == "2/3/107"
    assert addresses["grant_id"] == "2/3/110"
    assert addresses["trigger"] == "2/3/100"


def test_routing_needs_no_gateway(tmp_path: Path) -> None:
    text = '[knx]\nconnection = "routing"\nindividual_address = "1.1.250"\n'
    knx = load_config(write(tmp_path, text)).knx
    assert knx is not None
    assert knx.multicast_group == "224.0.23.12"


def test_mistakes_are_reported_with_key_paths(tmp_path: Path) -> None:
    text = """
[knx]
gateway_ip = "192.0.2.10"
[knx.rooms.room-99]
base = "1/1/0"
[knx.rooms.room-12]
base = "1/1/5"
[knx.doors.room-12]
state = "3/0/0"
[knx.doors.garage]
battery = "3/0/1"
"""
    problems = problems_of(write(tmp_path, text))

    assert "unknown room 'room-99'" in problems["knx.rooms.room-99"].message
    assert "unknown door 'garage'" in problems["knx.doors.garage"].message
    # room-12's block (1/1/5..1/1/14) overlaps room-99's (1/1/0..1/1/9) at 1/1/5 and after.
    clash = problems["knx.rooms.room-12.trigger"]
    assert clash.value == "1/1/5"
    assert "knx.rooms.room-99.to_date" in clash.message


@pytest.mark.parametrize(
    ("section", "key", "advice"),
    [
        ('[knx.rooms.room-12]\nbase = "1-1-0"', "knx.rooms.room-12.base", "three-level"),
        ('[knx.rooms.room-12]\nbase = "33/1/0"', "knx.rooms.room-12.base", "virtual"),
        ('[knx.rooms.room-12]\nbase = "1/1/250"', "knx.rooms.room-12", "passes x/x/255"),
        (
            '[knx.rooms.room-12]\nbase = "1/1/0"\noffsets = { code = 0 }',
            "knx.rooms.room-12.offsets",
            "both use offset 0",
        ),
        (
            '[knx.rooms.room-12]\nbase = "1/1/0"\nbaes = 1',
            "knx.rooms.room-12.baes",
            "base, offsets",
        ),
    ],
)
def test_bad_room_blocks_get_advice(tmp_path: Path, section: str, key: str, advice: str) -> None:
    problems = problems_of(write(tmp_path, f'[knx]\ngateway_ip = "192.0.2.10"\n{section}\n'))
    assert advice in problems[key].message


def test_tunnelling_needs_a_gateway_and_secure_needs_tcp(tmp_path: Path) -> None:
    assert "gateway_ip is required" in problems_of(write(tmp_path, "[knx]\n"))["knx"].message
    secure = '[knx]\ngateway_ip = "192.0.2.10"\n[knx.secure]\nkeyring = "site.knxkeys"\n'
    assert "tunneling_tcp" in problems_of(write(tmp_path, secure))["knx"].message
