"""The grants, cleanup and drift commands, run as a person would against a simulated account."""

import os
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

from access.conftest import HOTEL_TOML, MAIN_ENTRANCE, ROOM_1
from conftest import RunningSimulator


def _bridge(config: Path, *args: str) -> subprocess.CompletedProcess[str]:
    environment = {
        **os.environ,
        "TTLOCK_CLIENT_ID": "demo-client-id",
        "TTLOCK_CLIENT_SECRET": "demo-client-secret",
        "TTLOCK_USERNAME": "demo@example.com",
        "TTLOCK_PASSWORD": "demo-password",
        "COLUMNS": "200",
    }
    return subprocess.run(  # noqa: S603 - our own CLI with fixed arguments
        [sys.executable, "-m", "ttlock_bridge", *args, "--config", str(config)],
        capture_output=True,
        text=True,
        env=environment,
        timeout=60,
        check=False,
    )


def _config(tmp_path: Path, simulator: RunningSimulator) -> Path:
    path = tmp_path / "ttlock-bridge.toml"
    path.write_text(HOTEL_TOML + f'\n[cloud]\napi_base = "{simulator.base_url}"\n')
    return path


def _on_lock(simulator: RunningSimulator, lock_id: int) -> list[str]:
    [lock] = [lock for lock in simulator.state()["locks"] if lock["lockId"] == lock_id]
    return [passcode["keyboardPwd"] for passcode in lock["passcodes"] if passcode["onLock"]]


def test_a_front_desk_issues_lists_shows_modifies_and_cancels_a_stay(
    simulator: RunningSimulator, tmp_path: Path
) -> None:
    config = _config(tmp_path, simulator)
    tomorrow = (datetime.now(UTC) + timedelta(days=1)).date()
    departure = (tomorrow + timedelta(days=2)).isoformat()

    created = _bridge(
        config, "grants", "create", "room-1", "--start", tomorrow.isoformat(), "--end", departure,
        "--name", "Smith", "--code", "582914",
    )  # fmt: skip

    assert created.returncode == 0, created.stderr
    assert "Grant 1 Smith: code 582914" in created.stdout
    assert "room-1" in created.stdout
    assert "main-entrance" in created.stdout
    assert _on_lock(simulator, ROOM_1) == ["582914"]
    assert _on_lock(simulator, MAIN_ENTRANCE) == ["582914"]

    listed = _bridge(config, "grants", "list")
    assert listed.returncode == 0, listed.stderr
    assert "Smith" in listed.stdout
    assert "582914" not in listed.stdout

    shown = _bridge(config, "grants", "show", "1")
    assert "active" in shown.stdout

    modified = _bridge(config, "grants", "modify", "1", "--code", "738216")
    assert modified.returncode == 0, modified.stderr
    assert _on_lock(simulator, MAIN_ENTRANCE) == ["738216"]

    cancelled = _bridge(config, "grants", "cancel", "1")
    assert cancelled.returncode == 0, cancelled.stderr
    assert "removed" in cancelled.stdout
    assert _on_lock(simulator, ROOM_1) == []


def test_a_disclosed_code_is_replaced_by_new_code_on_every_door(
    simulator: RunningSimulator, tmp_path: Path
) -> None:
    config = _config(tmp_path, simulator)
    tomorrow = (datetime.now(UTC) + timedelta(days=1)).date()
    _bridge(
        config, "grants", "create", "room-1", "--start", tomorrow.isoformat(),
        "--end", (tomorrow + timedelta(days=2)).isoformat(), "--code", "582914",
    )  # fmt: skip

    renewed = _bridge(config, "grants", "new-code", "1")

    assert renewed.returncode == 0, renewed.stderr
    [fresh] = _on_lock(simulator, ROOM_1)
    assert fresh != "582914"
    assert f"code {fresh}" in renewed.stdout
    assert _on_lock(simulator, MAIN_ENTRANCE) == [fresh]


def test_bad_input_and_missing_credentials_get_a_message_and_no_traceback(
    simulator: RunningSimulator, tmp_path: Path
) -> None:
    config = _config(tmp_path, simulator)

    past = _bridge(
        config, "grants", "create", "room-1", "--start", "2020-01-01", "--end", "2020-01-03"
    )
    unknown = _bridge(config, "grants", "show", "99")

    assert past.returncode == 2
    assert "choose an end in the future" in past.stderr
    assert unknown.returncode == 2
    assert "no grant with id 99" in unknown.stderr
    for result in (past, unknown):
        assert "Traceback" not in result.stderr


def test_cleanup_dry_run_and_drift_print_tables(
    simulator: RunningSimulator, tmp_path: Path
) -> None:
    config = _config(tmp_path, simulator)

    dry = _bridge(config, "cleanup", "--dry-run", "--sweep")
    drift = _bridge(config, "drift")

    assert dry.returncode == 0, dry.stderr
    assert "Nothing to clean up." in dry.stdout
    assert drift.returncode == 0, drift.stderr
    assert "unknown to the ledger: none." in drift.stdout


def test_a_room_door_without_gateway_prints_each_doors_code_window_and_use_by(
    simulator: RunningSimulator, tmp_path: Path
) -> None:
    config = _config(tmp_path, simulator)
    simulator.control(f"locks/{ROOM_1}", {"gateway": None})
    tomorrow = (datetime.now(UTC) + timedelta(days=1)).date()
    departure = (tomorrow + timedelta(days=2)).isoformat()

    created = _bridge(
        config, "grants", "create", "room-1", "--start", f"{tomorrow}T15:20",
        "--end", f"{departure}T10:40", "--name", "Smith", "--code", "582914",
    )  # fmt: skip

    assert created.returncode == 0, created.stderr
    [offline] = _on_lock(simulator, ROOM_1)
    assert "Grant 1 Smith: a code per door" in created.stdout
    [room] = [line for line in created.stdout.splitlines() if "room-1" in line]
    [entrance] = [line for line in created.stdout.splitlines() if "main-entrance" in line]
    assert offline in room
    assert "offline (the lock has no gateway)" in room
    assert f"valid {tomorrow} 15:00 to {departure} 11:00" in room  # whole hours
    assert f"use once before {tomorrow + timedelta(days=1)} 15:00" in room
    assert "582914" in entrance
    assert "online" in entrance

    listed = _bridge(config, "grants", "list")
    assert listed.returncode == 0, listed.stderr
    assert "per door" in listed.stdout
    assert f"room-1 active {'*' * (len(offline) - 2)}{offline[-2:]} offline" in listed.stdout
    assert "main-entrance active ****14 online" in listed.stdout
    assert offline not in listed.stdout

    cancelled = _bridge(config, "grants", "cancel", "1")
    assert cancelled.returncode == 0, cancelled.stderr
    assert offline not in cancelled.stdout
    [room] = [line for line in cancelled.stdout.splitlines() if "room-1" in line]
    assert "expiring" in room
    assert f"expires by itself at {departure} 11:00" in _unwrapped(cancelled.stdout)
    assert "delete it through the lock in the TTLock app" in _unwrapped(cancelled.stdout)


def _unwrapped(table: str) -> str:
    """A printed table's text with its borders and line breaks gone: a long cell wraps."""
    return " ".join(table.replace("│", " ").split())
