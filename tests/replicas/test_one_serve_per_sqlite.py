"""SQLite stays single-process (issue 15): a second `serve` on the same SQLite file refuses to
start and says to use PostgreSQL; other commands run beside the service; the lock dies with
the process that held it, however it ended."""

from __future__ import annotations

import signal
import subprocess
import sys
from pathlib import Path

from conftest import RunningSimulator
from service.conftest import free_port
from service.serve_process import DATABASE, serve_environment, serve_process, write_serve_config


def ttlock_bridge(*arguments: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(  # noqa: S603 - our own CLI with fixed arguments
        [sys.executable, "-m", "ttlock_bridge", *arguments],
        env=serve_environment(COLUMNS="200"),
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_a_second_serve_on_the_same_sqlite_file_refuses_to_start_and_names_postgresql(
    simulator: RunningSimulator, tmp_path: Path
) -> None:
    first_dir, second_dir = tmp_path / "first", tmp_path / "second"
    with serve_process(first_dir, simulator.base_url) as first:
        # another configuration (another port) on the same database file
        database = first_dir / DATABASE
        second_config = write_serve_config(
            second_dir,
            simulator.base_url,
            port=free_port(),
            extra=f'[store]\nurl = "sqlite:///{database}"\n',
        )
        second = ttlock_bridge("serve", "--config", str(second_config))
        same_again = ttlock_bridge("serve", "--config", str(first.config))
        beside = ttlock_bridge("grants", "list", "--config", str(first.config))
        still_up = first.api.get("/readyz").status_code

    for refused in (second, same_again):
        assert refused.returncode == 2, refused.stderr
        assert "already runs on the SQLite database" in refused.stderr
        assert f"pid {first.process.pid}" in refused.stderr
        assert "PostgreSQL" in refused.stderr
        assert "Traceback" not in refused.stderr
    assert beside.returncode == 0, beside.stderr
    assert still_up == 200


def test_the_database_is_free_again_once_its_serve_is_killed(
    simulator: RunningSimulator, tmp_path: Path
) -> None:
    with serve_process(tmp_path, simulator.base_url) as first:
        first.process.send_signal(signal.SIGKILL)
        first.process.wait(timeout=10)

    with serve_process(tmp_path, simulator.base_url) as again:
        assert again.api.get("/readyz").status_code == 200
