"""`load_config` reads real files and reports every mistake with its key path and advice."""

from __future__ import annotations

from datetime import time, timedelta
from pathlib import Path

import pytest
from typer.testing import CliRunner

from ttlock_bridge.cli import app
from ttlock_bridge.config import ConfigError, Problem, load_config

REPO_ROOT = Path(__file__).resolve().parents[2]

MINIMAL = """
[property]
name = "Hotel Aurora"
timezone = "Europe/Athens"

[doors.main-entrance]
lock_id = 1000001
[doors.room-1]
lock_id = 1000002

[rooms.room-1]
doors = ["room-1"]
shared_doors = ["main-entrance"]
"""


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "ttlock-bridge.toml"
    path.write_text(text, encoding="utf-8")
    return path


def problems_of(path: Path) -> list[Problem]:
    with pytest.raises(ConfigError) as caught:
        load_config(path)
    return caught.value.problems


def by_key(problems: list[Problem]) -> dict[str, Problem]:
    return {problem.key: problem for problem in problems}


def test_the_shipped_example_is_valid_and_complete() -> None:
    config = load_config(REPO_ROOT / "ttlock-bridge.example.toml")

    assert config.property.timezone == "Europe/Athens"
    assert config.defaults.deny_codes == {"123123", "112233"}
    assert config.rooms["room-1"].all_doors == ("room-1", "main-entrance")
    assert config.cloud.region_or_url == "eu"


def test_minimal_file_gets_documented_defaults(tmp_path: Path) -> None:
    config = load_config(write(tmp_path, MINIMAL))

    assert config.cloud.region_or_url == "eu"
    assert config.defaults.check_in == time(15, 0)
    assert config.defaults.check_out == time(11, 0)
    assert config.defaults.code_length == 6
    assert config.defaults.cleanup_grace == timedelta(hours=24)
    assert config.defaults.cleanup_time == time(3, 30)
    assert config.data_dir == tmp_path / "data"
    assert config.store_url == f"sqlite:///{tmp_path}/data/ttlock-bridge.db"
    assert config.doors["room-1"].lock_id == 1000002
    assert config.property.zone.key == "Europe/Athens"


@pytest.mark.parametrize(
    ("written", "expected"),
    [("90m", timedelta(minutes=90)), ("36h", timedelta(hours=36)), ("2d", timedelta(days=2))],
)
def test_cleanup_grace_takes_one_unit(tmp_path: Path, written: str, expected: timedelta) -> None:
    text = MINIMAL + f'\n[defaults]\ncleanup_grace = "{written}"\n'
    assert load_config(write(tmp_path, text)).defaults.cleanup_grace == expected


def test_relative_sqlite_paths_are_relative_to_the_file(tmp_path: Path) -> None:
    text = MINIMAL + '\n[store]\nurl = "sqlite:///state/bridge.db"\n'
    assert load_config(write(tmp_path, text)).store_url == f"sqlite:///{tmp_path}/state/bridge.db"


def test_postgresql_url_is_kept_as_written(tmp_path: Path) -> None:
    url = "postgresql+psycopg://bridge:pw@db.example:5432/bridge"
    text = MINIMAL + f'\n[store]\nurl = "{url}"\n'
    assert load_config(write(tmp_path, text)).store_url == url


def test_cloud_region_or_explicit_base(tmp_path: Path) -> None:
    china = load_config(write(tmp_path, MINIMAL + '\n[cloud]\nregion = "cn"\n'))
    assert china.cloud.region_or_url == "cn"
    own = load_config(write(tmp_path, MINIMAL + '\n[cloud]\napi_base = "http://127.0.0.1:9"\n'))
    assert own.cloud.region_or_url == "http://127.0.0.1:9"


def test_unknown_door_in_a_room_names_the_exact_list_item(tmp_path: Path) -> None:
    text = MINIMAL + '\n[rooms.room-3]\ndoors = ["room-1", "room-9"]\n'

    [problem] = problems_of(write(tmp_path, text))

    assert problem.key == "rooms.room-3.doors[1]"
    assert problem.value == "room-9"
    assert problem.file == tmp_path / "ttlock-bridge.toml"
    assert problem.message == "unknown door 'room-9': define [doors.room-9] or fix the name"


def test_every_problem_is_reported_at_once(tmp_path: Path) -> None:
    text = """
[property]
name = "X"
timezone = "Europe/Atlantis"

[defaults]
check_in = "25:00"
chek_out = "11:00"
code_length = 12
cleanup_grace = "1 week"
deny_codes = ["12a4"]

[doors.a]
lock_id = 0
"""
    problems = by_key(problems_of(write(tmp_path, text)))

    assert set(problems) == {
        "property.timezone",
        "defaults.check_in",
        "defaults.chek_out",
        "defaults.code_length",
        "defaults.cleanup_grace",
        "defaults.deny_codes[0]",
        "doors.a.lock_id",
    }
    assert "IANA" in problems["property.timezone"].message
    assert problems["defaults.check_in"].value == "25:00"
    assert "HH:MM" in problems["defaults.check_in"].message
    assert "allowed here: check_in, check_out" in problems["defaults.chek_out"].message
    assert problems["defaults.cleanup_grace"].value == "1 week"
    assert "4-9 digits" in problems["defaults.deny_codes[0]"].message


def test_a_lock_can_be_only_one_door(tmp_path: Path) -> None:
    text = MINIMAL + "\n[doors.side-door]\nlock_id = 1000001\n"

    [problem] = problems_of(write(tmp_path, text))

    assert problem.key == "doors.side-door.lock_id"
    assert problem.value == 1000001
    assert "already door 'main-entrance'" in problem.message


def test_a_door_listed_twice_for_a_room(tmp_path: Path) -> None:
    text = MINIMAL.replace('shared_doors = ["main-entrance"]', 'shared_doors = ["room-1"]')

    [problem] = problems_of(write(tmp_path, text))

    assert problem.key == "rooms.room-1.shared_doors[0]"
    assert "listed twice" in problem.message


def test_missing_sections_and_bad_names(tmp_path: Path) -> None:
    problems = by_key(problems_of(write(tmp_path, '[doors."front door"]\nlock_id = 5\n')))

    assert problems["property"].message == "required: add this key"
    assert not problems["property"].has_value
    assert problems['doors."front door"'].value == "front door"


def test_region_and_api_base_together_is_ambiguous(tmp_path: Path) -> None:
    text = MINIMAL + '\n[cloud]\nregion = "eu"\napi_base = "https://euapi.ttlock.com"\n'

    [problem] = problems_of(write(tmp_path, text))

    assert problem.key == "cloud"
    assert problem.message == "set either region or api_base, not both"


def test_unparseable_store_url(tmp_path: Path) -> None:
    [problem] = problems_of(write(tmp_path, MINIMAL + '\n[store]\nurl = "not a url"\n'))

    assert problem.key == "store.url"
    assert problem.value == "not a url"


def test_broken_toml_and_missing_file(tmp_path: Path) -> None:
    [broken] = problems_of(write(tmp_path, "[property\nname="))
    assert broken.message.startswith("not valid TOML")

    [missing] = problems_of(tmp_path / "nowhere.toml")
    assert missing.message.startswith("file not found")


def test_check_config_summarises_a_good_file(tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["check-config", "--config", str(write(tmp_path, MINIMAL))])

    assert result.exit_code == 0
    assert "Hotel Aurora" in result.output
    assert "Europe/Athens" in result.output
    assert "2 door(s), 1 room(s)" in result.output


def test_check_config_names_doors_not_in_auto_mode_and_the_offline_fallback(
    tmp_path: Path,
) -> None:
    text = MINIMAL.replace("lock_id = 1000002", 'lock_id = 1000002\nmode = "offline"').replace(
        'timezone = "Europe/Athens"', 'timezone = "Europe/Athens"\noffline_fallback = true'
    )

    output = CliRunner().invoke(app, ["check-config", "-c", str(write(tmp_path, text))]).output
    plain = CliRunner().invoke(app, ["check-config", "-c", str(write(tmp_path, MINIMAL))]).output

    said = " ".join(output.split())
    assert "2 door(s) (mode: room-1 offline; the others auto), 1 room(s)" in said
    assert "offline fallback after 10m for stays within 6h" in said
    assert "mode" not in plain
    assert "fallback" not in plain


def test_door_modes_and_the_offline_fallback_default_to_auto_off_10m_and_6h(
    tmp_path: Path,
) -> None:
    config = load_config(write(tmp_path, MINIMAL))

    assert {door.mode for door in config.doors.values()} == {"auto"}
    assert config.property.offline_fallback is False
    assert config.property.offline_fallback_after == timedelta(minutes=10)
    assert config.property.offline_fallback_window == timedelta(hours=6)
    wrong = MINIMAL.replace("lock_id = 1000002", 'lock_id = 1000002\nmode = "gateway"')
    assert "doors.room-1.mode" in by_key(problems_of(write(tmp_path, wrong)))


def test_check_config_lists_problems_and_fails(tmp_path: Path) -> None:
    path = write(tmp_path, MINIMAL + '\n[rooms.room-3]\ndoors = ["room-9"]\n')

    result = CliRunner().invoke(app, ["check-config", "-c", str(path)], env={"COLUMNS": "250"})

    assert result.exit_code == 1
    assert "rooms.room-3.doors[0]" in result.output
    assert "define [doors.room-9]" in result.output
    assert "1 problem(s)" in result.output


def test_a_door_keypad_is_its_keys_and_defaults_to_all_ten(tmp_path: Path) -> None:
    text = MINIMAL.replace("lock_id = 1000002", 'lock_id = 1000002\nkeypad = "7654321"')
    config = load_config(write(tmp_path, text))

    assert config.doors["room-1"].keypad == "1234567"
    assert config.doors["main-entrance"].keypad == "0123456789"


@pytest.mark.parametrize(
    ("keypad", "message"),
    [('"12a4"', "digits its keys carry"), ('"1212"', "at least 3 different keys"), ("1234", "")],
)
def test_a_keypad_that_cannot_make_a_code_is_refused_with_its_key(
    tmp_path: Path, keypad: str, message: str
) -> None:
    text = MINIMAL.replace("lock_id = 1000002", f"lock_id = 1000002\nkeypad = {keypad}")
    problem = by_key(problems_of(write(tmp_path, text)))["doors.room-1.keypad"]
    assert message in problem.message


@pytest.mark.parametrize("written", ["0s", "10s", "29s"])
def test_a_clock_tolerance_below_half_a_minute_is_refused(tmp_path: Path, written: str) -> None:
    text = MINIMAL + f'\n[cloud]\nclock_tolerance = "{written}"\n'

    problem = by_key(problems_of(write(tmp_path, text)))["cloud.clock_tolerance"]

    assert problem.value == written
    assert problem.message == "write a duration of at least 30s"


def test_a_period_of_nothing_is_refused_in_the_files_words(tmp_path: Path) -> None:
    text = MINIMAL + '\n[cloud]\ngateway_poll = "0m"\n'

    problem = by_key(problems_of(write(tmp_path, text)))["cloud.gateway_poll"]

    assert problem.message == "write a duration of at least 1s"


def test_check_config_notes_a_schedule_that_spends_most_of_the_budget(tmp_path: Path) -> None:
    costly = write(tmp_path, MINIMAL + '\n[cloud]\ngateway_poll = "30s"\n')

    said = " ".join(CliRunner().invoke(app, ["check-config", "-c", str(costly)]).output.split())

    assert said.startswith("OK")
    assert "about 86,640 TTLock calls a month (433% of cloud.monthly_budget = 20,000)" in said
    assert "lengthen cloud.gateway_poll" in said


def test_the_default_schedule_leaves_the_budget_to_the_stays(tmp_path: Path) -> None:
    said = CliRunner().invoke(app, ["check-config", "-c", str(write(tmp_path, MINIMAL))]).output

    assert "Note" not in said
