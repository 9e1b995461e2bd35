"""`ttlock-bridge demo` twice on one data directory: the second refuses before it touches
anything (the demo starts each run with an empty database: it must never delete the one a
running demo serves from)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import httpx

from service.conftest import free_port

DEMO = [sys.executable, "-m", "ttlock_bridge", "demo"]


def test_a_second_demo_on_a_running_demos_folder_refuses_and_deletes_nothing(
    tmp_path: Path,
) -> None:
    port = free_port()
    first = subprocess.Popen(  # noqa: S603 - our own CLI
        [*DEMO, "--port", str(port), "--data-dir", str(tmp_path)],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    try:
        assert first.stdout is not None
        for line in first.stdout:
            if line.startswith("Try:"):
                break
        database = next(tmp_path.glob("*.db"))
        token = (tmp_path / "api-token").read_text().strip()

        second = subprocess.run(  # noqa: S603 - our own CLI
            [*DEMO, "--port", str(free_port()), "--data-dir", str(tmp_path)],
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )

        assert second.returncode == 2
        assert "already runs on the SQLite database" in second.stderr
        assert database.exists()
        answer = httpx.get(
            f"http://127.0.0.1:{port}/api/v1/grants",
            headers={"Authorization": f"Bearer {token}"},
            timeout=10,
        )
        assert answer.status_code == 200  # the first demo serves on, from its own database
    finally:
        first.terminate()
        first.wait(timeout=20)
