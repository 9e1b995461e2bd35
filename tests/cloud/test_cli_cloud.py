"""`ttlock-bridge login | register-user | locks | unlock | lock` against the simulator."""

import time
from pathlib import Path

from typer.testing import CliRunner

from cloud.cloud_fixtures import ROOM_1
from conftest import RunningSimulator
from ttlock_bridge.cli import app
from ttlock_bridge.cloud.quota import billing_month
from ttlock_bridge.store import open_store
from ttlock_bridge.store.cloud_calls import cloud_call_counts

runner = CliRunner()


def environment(simulator: RunningSimulator, data_dir: Path, **overrides: str) -> dict[str, str]:
    base = {
        "TTLOCK_CLIENT_ID": "demo-client-id",
        "TTLOCK_CLIENT_SECRET": "demo-client-secret",
        "TTLOCK_USERNAME": "demo@example.com",
        "TTLOCK_PASSWORD": "demo-password",
        "TTLOCK_API_BASE": simulator.base_url,
        "BRIDGE_DATA_DIR": str(data_dir),
    }
    return base | overrides


def test_login_stores_a_private_token_that_later_commands_reuse(
    simulator: RunningSimulator, tmp_path: Path
) -> None:
    env = environment(simulator, tmp_path)
    result = runner.invoke(app, ["login"], env=env)
    assert result.exit_code == 0, result.output
    assert "Logged in as demo@example.com" in result.output
    assert f"stored in sqlite:///{tmp_path / 'ttlock-bridge.db'}" in result.output
    assert (tmp_path / "ttlock-bridge.db").exists()
    assert not (tmp_path / "ttlock-token.json").exists()

    result = runner.invoke(app, ["locks"], env=env)
    assert result.exit_code == 0, result.output
    assert simulator.state()["token_grants"].get("password") == 1


def test_locks_shows_names_battery_gateway_and_last_state(
    simulator: RunningSimulator, tmp_path: Path
) -> None:
    env = environment(simulator, tmp_path)
    assert runner.invoke(app, ["unlock", "Room 1"], env=env).exit_code == 0
    result = runner.invoke(app, ["locks"], env=env)
    assert result.exit_code == 0, result.output
    room_1 = next(line for line in result.output.splitlines() if "Room 1" in line)
    assert str(ROOM_1) in room_1
    assert "89%" in room_1
    assert "online" in room_1
    assert "unlocked" in room_1
    assert "Main entrance" in result.output


def test_unlock_by_name_ignores_case_and_lock_takes_an_id(
    simulator: RunningSimulator, tmp_path: Path
) -> None:
    env = environment(simulator, tmp_path)
    result = runner.invoke(app, ["unlock", "rOOm 1"], env=env)
    assert result.exit_code == 0, result.output
    assert f"Unlocked Room 1 (lock {ROOM_1})" in result.output
    result = runner.invoke(app, ["lock", str(ROOM_1)], env=env)
    assert result.exit_code == 0, result.output
    assert simulator.state()["calls"]["/v3/lock/lock"] == 1


def test_wrong_password_names_the_cause_and_fix_without_traceback(
    simulator: RunningSimulator, tmp_path: Path
) -> None:
    env = environment(simulator, tmp_path, TTLOCK_PASSWORD="not-the-password")
    result = runner.invoke(app, ["login"], env=env)
    assert result.exit_code == 1
    assert "Wrong TTLock username or password" in result.output
    assert "10007" in result.output
    assert "Traceback" not in result.output
    assert "not-the-password" not in result.output


def test_an_unknown_lock_is_named_with_the_way_to_find_the_right_one(
    simulator: RunningSimulator, tmp_path: Path
) -> None:
    result = runner.invoke(app, ["unlock", "Room 99"], env=environment(simulator, tmp_path))
    assert result.exit_code == 2
    assert "No lock named or numbered 'Room 99'" in result.output
    assert "ttlock-bridge locks" in result.output


def test_an_offline_gateway_is_explained(simulator: RunningSimulator, tmp_path: Path) -> None:
    gateway_id = simulator.state()["gateways"][0]["gatewayId"]
    simulator.control(f"gateways/{gateway_id}", {"online": False})
    result = runner.invoke(app, ["unlock", "Room 1"], env=environment(simulator, tmp_path))
    assert result.exit_code == 1
    assert "The gateway is offline" in result.output
    assert "-3002" in result.output


def test_a_missing_environment_variable_is_named(
    simulator: RunningSimulator, tmp_path: Path
) -> None:
    env = environment(simulator, tmp_path, TTLOCK_PASSWORD="")
    result = runner.invoke(app, ["locks"], env=env)
    assert result.exit_code == 2
    assert "TTLOCK_PASSWORD not set" in result.output
    assert simulator.state()["calls"] == {}


def test_an_unknown_region_is_refused_with_the_choices(
    simulator: RunningSimulator, tmp_path: Path
) -> None:
    result = runner.invoke(app, ["locks", "--region", "mars"], env=environment(simulator, tmp_path))
    assert result.exit_code == 2
    assert "use one of eu, global, cn" in result.output


def test_register_user_prints_the_prefixed_name_to_use(
    simulator: RunningSimulator, tmp_path: Path
) -> None:
    env = environment(simulator, tmp_path, TTLOCK_USERNAME="", TTLOCK_PASSWORD="")
    result = runner.invoke(app, ["register-user", "frontdesk", "--password", "s3cret-pw"], env=env)
    assert result.exit_code == 0, result.output
    assert "export TTLOCK_USERNAME=" in result.output
    prefixed = result.output.split("export TTLOCK_USERNAME=")[1].split()[0]
    assert prefixed.endswith("_frontdesk")

    result = runner.invoke(
        app,
        ["login"],
        env=environment(simulator, tmp_path, TTLOCK_USERNAME=prefixed, TTLOCK_PASSWORD="s3cret-pw"),
    )
    assert result.exit_code == 0, result.output


def test_commands_count_their_calls_in_the_month_serve_budgets(
    simulator: RunningSimulator, tmp_path: Path
) -> None:
    env = environment(simulator, tmp_path)
    assert runner.invoke(app, ["unlock", "Room 1"], env=env).exit_code == 0

    store = open_store(f"sqlite:///{tmp_path / 'ttlock-bridge.db'}")
    try:
        with store.transaction() as session:
            month = cloud_call_counts(session, billing_month(int(time.time() * 1000)))
    finally:
        store.close()
    assert month == simulator.state()["calls"] | {"/oauth2/token": 1}
    assert month["/v3/lock/unlock"] == 1
