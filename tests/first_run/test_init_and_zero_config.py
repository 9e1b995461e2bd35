"""`ttlock-bridge init` (flags and a person at a terminal) and zero-config `serve`, against the
simulated account."""

from __future__ import annotations

import os
import pty
import select
import subprocess
import sys
import termios
import time
from pathlib import Path

import httpx
import pytest

from conftest import RunningSimulator
from service.bridge import API_TOKEN
from service.conftest import free_port
from ttlock_bridge.config import load_config
from ttlock_bridge.simulator.scenario import (
    DEMO_CLIENT_ID,
    DEMO_CLIENT_SECRET,
    DEMO_PASSWORD,
    DEMO_USERNAME,
)


def account(simulator: RunningSimulator) -> dict[str, str]:
    return {
        "TTLOCK_CLIENT_ID": DEMO_CLIENT_ID,
        "TTLOCK_CLIENT_SECRET": DEMO_CLIENT_SECRET,
        "TTLOCK_USERNAME": DEMO_USERNAME,
        "TTLOCK_PASSWORD": DEMO_PASSWORD,
        "TTLOCK_API_BASE": simulator.base_url,
    }


def bridge_command(*arguments: str) -> list[str]:
    return [sys.executable, "-m", "ttlock_bridge", *arguments]


def run_bridge(
    environment: dict[str, str], cwd: Path, *arguments: str, typed: str | None = None
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(  # noqa: S603 - our own CLI
        bridge_command(*arguments),
        input=typed,
        cwd=cwd,
        env=os.environ | environment,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_init_with_flags_writes_a_file_serve_can_use(
    simulator: RunningSimulator, tmp_path: Path
) -> None:
    done = subprocess.run(  # noqa: S603 - our own CLI
        bridge_command(
            "init",
            "--yes",
            "--shared",
            "Main entrance",
            "--timezone",
            "Europe/Berlin",
            "--name",
            "Hotel Aurora",
        ),
        cwd=tmp_path,
        env=os.environ | account(simulator),
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )

    assert done.returncode == 0, done.stderr
    written = tmp_path / "ttlock-bridge.toml"
    text = written.read_text()
    config = load_config(written)
    assert config.property.name == "Hotel Aurora"
    assert config.property.timezone == "Europe/Berlin"
    assert len(config.doors) == 7
    assert config.rooms["room-3"].all_doors == ("room-3", "main-entrance")
    for secret in (DEMO_CLIENT_SECRET, DEMO_PASSWORD):
        assert secret not in text
    again = run_bridge(account(simulator), tmp_path, "init", "--yes")
    assert again.returncode == 2
    assert "--force" in again.stderr
    assert written.read_text() == text


def test_init_with_an_unknown_shared_door_lists_the_locks(
    simulator: RunningSimulator, tmp_path: Path
) -> None:
    done = run_bridge(account(simulator), tmp_path, "init", "--yes", "--shared", "Lobby")

    assert done.returncode == 2
    assert "'Room 1' (room-1, 1000002)" in " ".join(done.stderr.split())
    assert not (tmp_path / "ttlock-bridge.toml").exists()


class Terminal:
    """A child process on a pseudo-terminal: read what it prints, answer its questions."""

    def __init__(self, command: list[str], cwd: Path, env: dict[str, str]) -> None:
        self._fd, child = pty.openpty()
        self.process = subprocess.Popen(  # noqa: S603 - our own CLI
            command, cwd=cwd, env=env, stdin=child, stdout=child, stderr=child
        )
        os.close(child)
        self.seen = ""

    def expect(self, text: str, timeout_s: float = 90) -> None:
        deadline = time.monotonic() + timeout_s
        while text not in " ".join(self.seen.split()):
            assert time.monotonic() < deadline, f"never saw {text!r} in {self.seen!r}"
            ready, _, _ = select.select([self._fd], [], [], 0.2)
            if ready:
                try:
                    self.seen += os.read(self._fd, 4096).decode(errors="replace")
                except OSError:  # the child closed the terminal
                    break

    def answer(self, line: str) -> None:
        os.write(self._fd, line.encode() + b"\r")

    def answer_secret(self, line: str, timeout_s: float = 30) -> None:
        """Once the program has turned the terminal's echo off (as a password prompt does)."""
        deadline = time.monotonic() + timeout_s
        while termios.tcgetattr(self._fd)[3] & termios.ECHO:
            assert time.monotonic() < deadline, "the terminal still echoes"
            time.sleep(0.05)
        self.answer(line)

    def close(self) -> int:
        code = self.process.wait(timeout=30)
        os.close(self._fd)
        return code


def test_init_asks_a_person_at_a_terminal(simulator: RunningSimulator, tmp_path: Path) -> None:
    environment = os.environ | account(simulator) | {"COLUMNS": "200", "TERM": "dumb"}
    del environment["TTLOCK_PASSWORD"]  # asked for, never echoed
    terminal = Terminal(bridge_command("init"), tmp_path, environment)

    terminal.expect("TTLOCK_PASSWORD")
    terminal.answer_secret(DEMO_PASSWORD)
    terminal.expect("Doors every guest opens")
    terminal.expect("Proposed shared doors: Main entrance (1000001)")  # its name says so
    terminal.expect("[1000001]")
    terminal.answer("Main entrance, Room 6")
    terminal.expect("The property's name")
    terminal.answer("Pension Alpenblick")
    terminal.expect("time zone (IANA)")
    terminal.answer("Europe/Vienna")
    terminal.expect("Write ttlock-bridge.toml?")
    terminal.answer("y")
    terminal.expect("Wrote ttlock-bridge.toml")

    assert terminal.close() == 0
    assert DEMO_PASSWORD not in terminal.seen
    config = load_config(tmp_path / "ttlock-bridge.toml")
    assert config.property.name == "Pension Alpenblick"
    assert config.property.timezone == "Europe/Vienna"
    assert set(config.rooms) == {f"room-{n}" for n in range(1, 6)}
    assert config.rooms["room-1"].shared_doors == ("main-entrance", "room-6")


def test_zero_config_serve_runs_every_lock_of_the_account(
    simulator: RunningSimulator, tmp_path: Path
) -> None:
    port = free_port()
    environment = (
        os.environ
        | account(simulator)
        | {
            "BRIDGE_API_TOKEN": API_TOKEN,
            "BRIDGE_TIMEZONE": "Europe/Berlin",
            "BRIDGE_DATA_DIR": str(tmp_path / "state"),
        }
    )
    log = tmp_path / "serve.log"
    with log.open("w") as stderr:
        process = subprocess.Popen(  # noqa: S603 - our own CLI
            bridge_command("serve", "--port", str(port)),
            cwd=tmp_path,
            env=environment,
            stdout=subprocess.DEVNULL,
            stderr=stderr,
        )
    try:
        headers = {"Authorization": f"Bearer {API_TOKEN}"}
        with httpx.Client(base_url=f"http://127.0.0.1:{port}", headers=headers) as api:
            deadline = time.monotonic() + 30
            while True:
                assert process.poll() is None, log.read_text()
                try:
                    if api.get("/healthz").status_code == 200:
                        break
                except httpx.HTTPError:
                    pass
                assert time.monotonic() < deadline, log.read_text()
                time.sleep(0.2)

            compat = api.get("/1000003")  # the old Docker bridge's route, by lockId
            grant = api.post(
                "/api/v1/grants",
                json={"room": "room-2", "start": "2030-01-10", "end": "2030-01-12"},
            )
    finally:
        process.terminate()
        process.wait(timeout=20)

    assert compat.status_code == 200
    assert compat.json()["lockAlias"] == "Room 2"
    assert grant.status_code == 201, grant.text
    assert {door["door"]: door["status"] for door in grant.json()["doors"]} == {
        "room-2": "active",
        "main-entrance": "active",
    }
    said = " ".join(log.read_text().split())
    assert "zero-config mode" in said
    assert "ttlock-bridge init --shared main-entrance --timezone Europe/Berlin --output" in said
    assert f"BRIDGE_DATA_DIR={tmp_path / 'state'}" in said
    assert (tmp_path / "state" / "ttlock-bridge.db").exists()
    assert not (tmp_path / "ttlock-bridge.toml").exists()


@pytest.mark.parametrize("missing", ["TTLOCK_PASSWORD", "TTLOCK_CLIENT_ID"])
def test_serve_without_a_file_or_an_account_says_both_ways(
    simulator: RunningSimulator, tmp_path: Path, missing: str
) -> None:
    environment = account(simulator) | {missing: ""}

    done = run_bridge(environment, tmp_path, "serve")

    assert done.returncode == 2
    said = " ".join(done.stderr.split())
    assert "file not found" in said
    assert "ttlock-bridge init" in said
    assert f"{missing} not set" in said or "zero-config" in said


def test_a_data_directory_serve_cannot_write_is_named_without_a_traceback(
    simulator: RunningSimulator, tmp_path: Path
) -> None:
    config = tmp_path / "ttlock-bridge.toml"
    config.write_text(
        'data_dir = "/proc/ttlock-bridge"\n[property]\nname = "X"\ntimezone = "Europe/Berlin"\n'
        "[doors.a]\nlock_id = 1000001\n"
    )

    done = run_bridge(account(simulator), tmp_path, "serve", "--config", str(config))

    said = " ".join(done.stderr.split())
    assert done.returncode == 2
    assert "cannot write the data directory /proc/ttlock-bridge" in said
    assert 'data_dir = "/data"' in said
    assert "Traceback" not in done.stderr


def test_a_missing_file_named_by_bridge_config_means_zero_config_but_not_by_the_option(
    simulator: RunningSimulator, tmp_path: Path
) -> None:
    missing = str(tmp_path / "config" / "ttlock-bridge.toml")
    environment = account(simulator) | {"BRIDGE_CONFIG": missing, "BRIDGE_TIMEZONE": "Nowhere/X"}

    by_variable = run_bridge(environment, tmp_path, "serve")
    by_option = run_bridge(account(simulator), tmp_path, "serve", "--config", missing)

    said = " ".join(by_variable.stderr.split())
    assert "zero-config mode (no configuration file): BRIDGE_TIMEZONE: unknown time zone" in said
    assert by_variable.returncode == 2
    assert "file not found" in " ".join(by_option.stderr.split())
    assert "zero-config mode. Assumed" not in by_option.stderr


def test_a_zero_config_install_has_its_console_accounts_and_commands(
    simulator: RunningSimulator, tmp_path: Path
) -> None:
    environment = account(simulator) | {
        "BRIDGE_TIMEZONE": "",  # an env file's empty line means the default, not an error
        "BRIDGE_SHARED_DOORS": "",
        "BRIDGE_DATA_DIR": str(tmp_path / "state"),
    }

    added = run_bridge(
        environment,
        tmp_path,
        "users",
        "add",
        "anna",
        "--password-stdin",
        typed="a-long-desk-password\n",
    )
    listed = run_bridge(environment, tmp_path, "grants", "list")

    assert added.returncode == 0, added.stderr
    assert "shared by every room: main-entrance" in " ".join(added.stderr.split())
    assert listed.returncode == 0, listed.stderr
