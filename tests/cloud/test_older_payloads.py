"""The cloud client and the CLI on payloads as real locks send them (issue 11): an "older"
lock's detail, passage mode, record list, and a login answered with the token still valid.
Against the simulator over real HTTP."""

from datetime import UTC, datetime, timedelta
from pathlib import Path

from typer.testing import CliRunner

from cloud.cloud_fixtures import ROOM_1, client_for
from cloud.test_cli_cloud import environment
from conftest import RunningSimulator, StartSimulator
from simulator.client import login
from ttlock_bridge.cli import app
from ttlock_bridge.simulator import Scenario, default_scenario
from ttlock_bridge.simulator.scenario import ClockConfig, Settings

DAY_MS = 24 * 3_600_000
runner = CliRunner()


def older_room_1() -> Scenario:
    scenario = default_scenario()
    locks = [
        lock.model_copy(update={"payloads": "older"}) if lock.id == ROOM_1 else lock
        for lock in scenario.locks
    ]
    return scenario.model_copy(update={"locks": locks})


async def test_an_older_detail_reads_its_missing_and_0_settings_as_unknown(
    start_simulator: StartSimulator,
) -> None:
    simulator = start_simulator(older_room_1())
    async with client_for(simulator.base_url) as client:
        detail = await client.lock_detail(ROOM_1)
        passage = await client.passage_mode(ROOM_1)

    assert detail.auto_lock_time is None
    unknown = (detail.lock_sound, detail.privacy_lock, detail.tamper_alert, detail.reset_button)
    assert unknown == (None, None, None, None)
    assert (detail.passage_mode, detail.lock_mac) == (False, "ED:AE:90:63:11:02")
    assert passage.passage_mode is False
    assert (passage.start_date, passage.end_date, passage.is_all_day, passage.week_days) == (
        None,
        None,
        None,
        None,
    )


async def test_records_listed_without_ids_and_usernames_are_read(
    start_simulator: StartSimulator,
) -> None:
    simulator = start_simulator(older_room_1())
    async with client_for(simulator.base_url) as client:
        await client.add_passcode(ROOM_1, "583190", name="Guest R1")
        await client.unlock(ROOM_1)
        simulator.control(f"locks/{ROOM_1}/keypad", {"code": "583190"})
        records = [record async for record in client.records(ROOM_1)]

    assert [(r.record_type, r.success, r.username) for r in records] == [
        (4, True, "Guest R1"),
        (12, True, None),
    ]
    assert {(r.record_id, r.record_type_from_lock) for r in records} == {(None, None)}
    assert all(r.lock_date and r.lock_date % 1000 == 0 for r in records)


def test_the_cli_takes_the_last_state_from_an_older_record_list(
    start_simulator: StartSimulator, tmp_path: Path
) -> None:
    simulator = start_simulator(older_room_1())
    env = environment(simulator, tmp_path)
    assert runner.invoke(app, ["unlock", "Room 1"], env=env).exit_code == 0
    assert runner.invoke(app, ["lock", "Room 1"], env=env).exit_code == 0
    simulator.control(f"locks/{ROOM_1}/keypad", {"code": "24681357"})  # refused: no unlock

    result = runner.invoke(app, ["locks"], env=env)

    assert result.exit_code == 0, result.output
    room_1 = next(line for line in result.output.splitlines() if "Room 1" in line)
    assert "locked" in room_1
    assert "unlocked" not in room_1


def reusing_tokens_from_80_days_ago() -> Scenario:
    start = datetime.now(UTC) - timedelta(days=80)
    return default_scenario().model_copy(
        update={"clock": ClockConfig(start=start), "settings": Settings(reuse_tokens=True)}
    )


async def test_a_login_answered_with_the_existing_token_keeps_its_real_expiry(
    start_simulator: StartSimulator,
) -> None:
    simulator: RunningSimulator = start_simulator(reusing_tokens_from_80_days_ago())
    issued_at_ms = simulator.state()["now_ms"]
    earlier = login(simulator.base_url)  # another client of the same app, 80 days ago
    simulator.control("clock", {"now_ms": int(datetime.now(UTC).timestamp() * 1000)})

    async with client_for(simulator.base_url) as client:
        token = await client.log_in()

    assert token.access_token == earlier["access_token"]
    assert abs(token.expires_at_ms - (issued_at_ms + 90 * DAY_MS)) < 5_000
    assert token.needs_refresh(token.expires_at_ms - DAY_MS)  # renewed a day before its end
    assert not token.needs_refresh(token.expires_at_ms - 2 * DAY_MS)
