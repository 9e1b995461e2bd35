"""Scenario files: the shipped example equals the built-in hotel; errors name file and key."""

import json
import subprocess
import sys
from pathlib import Path

import pytest

from ttlock_bridge.simulator import ScenarioError, default_scenario, load_scenario

SHIPPED = Path(__file__).parents[2] / "scenarios" / "small-hotel.toml"


def test_the_shipped_small_hotel_equals_the_built_in_default() -> None:
    loaded = load_scenario(SHIPPED)
    default = default_scenario()
    assert [lock.id for lock in loaded.locks] == [lock.id for lock in default.locks]
    assert loaded.model_dump(exclude={"locks"}) == default.model_dump(exclude={"locks"})
    for from_file, built_in in zip(loaded.locks, default.locks, strict=True):
        assert from_file.model_dump(exclude={"admin"}) == built_in.model_dump(exclude={"admin"})
        assert from_file.admin in (None, "demo@example.com")


def test_the_default_hotel_has_the_documented_demo_credentials() -> None:
    scenario = default_scenario()
    assert (scenario.apps[0].client_id, scenario.apps[0].client_secret) == (
        "demo-client-id",
        "demo-client-secret",
    )
    assert (scenario.users[0].username, scenario.users[0].password) == (
        "demo@example.com",
        "demo-password",
    )
    assert [lock.alias for lock in scenario.locks] == [
        "Main entrance",
        *(f"Room {n}" for n in range(1, 7)),
    ]
    assert {lock.gateway for lock in scenario.locks} == {500_001}


def test_json_scenarios_load_too(tmp_path: Path) -> None:
    path = tmp_path / "tiny.json"
    path.write_text(
        json.dumps(
            {
                "clock": {"start": "2026-11-22T10:00:00Z"},
                "apps": [{"client_id": "a", "client_secret": "b"}],
                "users": [{"username": "u", "password": "p"}],
                "locks": [{"id": 1, "alias": "Door", "mac": "AA:BB:CC:DD:EE:FF"}],
            }
        )
    )
    scenario = load_scenario(path)
    assert scenario.locks[0].gateway is None
    assert scenario.clock.start is not None


@pytest.mark.parametrize(
    ("suffix", "text", "message"),
    [
        (".toml", "[[apps]]\nclient_id = 1\n", "apps.0.client_id"),
        (".toml", "apps = [", "not valid TOML"),
        (".json", '{"apps": [], "users": []}', "apps"),
        (".yaml", "apps: []", "must end in .toml or .json"),
        (
            ".toml",
            '[[apps]]\nclient_id="a"\nclient_secret="b"\n[[users]]\nusername="u"\npassword="p"\n'
            '[[locks]]\nid=1\nalias="x"\nmac="AA:BB:CC:DD:EE:FF"\ngateway=7\n',
            "gateway 7 is not defined",
        ),
    ],
)
def test_errors_name_the_file_and_the_key(
    tmp_path: Path, suffix: str, text: str, message: str
) -> None:
    path = tmp_path / f"broken{suffix}"
    path.write_text(text)
    with pytest.raises(ScenarioError) as error:
        load_scenario(path)
    assert str(path) in str(error.value)
    assert message in str(error.value)


def test_the_cli_refuses_a_broken_scenario_file(tmp_path: Path) -> None:
    path = tmp_path / "broken.toml"
    path.write_text("[[locks]]\nid = 'one'\n")
    result = subprocess.run(  # noqa: S603 - our own interpreter and module
        [sys.executable, "-m", "ttlock_bridge", "simulator", "--scenario", str(path)],
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )
    assert result.returncode == 2
    assert "broken.toml" in result.stderr
