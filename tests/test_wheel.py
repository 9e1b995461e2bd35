"""The wheel carries everything the service needs: built from this checkout, installed into a
fresh virtual environment outside it (the runtime lock, no dev tools), it answers `--version`,
checks the example configuration and runs the demo until `/healthz` answers."""

from __future__ import annotations

import os
import subprocess
import sys
import time
import venv
from pathlib import Path

import httpx
import pytest

from service.conftest import free_port
from ttlock_bridge import __version__

REPO = Path(__file__).resolve().parents[1]


def run(*command: str | Path, cwd: Path) -> str:
    done = subprocess.run(  # noqa: S603 - pip and our own CLI, fixed arguments
        [str(part) for part in command],
        cwd=cwd,
        env=_outside_the_checkout(),
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout


def _outside_the_checkout() -> dict[str, str]:
    """This process's environment without what would let the checkout's code in."""
    return {
        name: value
        for name, value in os.environ.items()
        if name not in ("PYTHONPATH", "VIRTUAL_ENV") and not name.startswith(("TTLOCK_", "BRIDGE_"))
    }


@pytest.mark.timeout(900)
def test_the_wheel_installed_alone_runs_the_service(tmp_path: Path) -> None:
    wheels = tmp_path / "wheels"
    run(
        sys.executable,
        "-m",
        "pip",
        "wheel",
        "--quiet",
        "--no-deps",
        "-w",
        wheels,
        REPO,
        cwd=tmp_path,
    )
    [wheel] = wheels.glob("ttlock_bridge-*.whl")
    environment = tmp_path / "env"
    venv.create(environment, with_pip=True)
    python, bridge = environment / "bin" / "python", environment / "bin" / "ttlock-bridge"
    run(
        python,
        "-m",
        "pip",
        "install",
        "--quiet",
        "--require-hashes",
        "-r",
        REPO / "requirements-runtime.lock",
        cwd=tmp_path,
    )
    run(python, "-m", "pip", "install", "--quiet", "--no-deps", wheel, cwd=tmp_path)

    assert run(bridge, "--version", cwd=tmp_path).strip() == f"ttlock-bridge {__version__}"
    located = run(python, "-c", "import ttlock_bridge; print(ttlock_bridge.__file__)", cwd=tmp_path)
    assert located.startswith(str(environment))
    assert "OK" in run(
        bridge, "check-config", "-c", REPO / "ttlock-bridge.example.toml", cwd=tmp_path
    )

    port = free_port()
    demo = subprocess.Popen(  # noqa: S603 - our own CLI from the wheel
        [str(bridge), "demo", "--port", str(port), "--data-dir", str(tmp_path / "demo")],
        cwd=tmp_path,
        env=_outside_the_checkout(),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        deadline = time.monotonic() + 120
        while True:
            assert demo.poll() is None, demo.stderr.read() if demo.stderr else ""
            try:
                health = httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=2)
                if health.status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            assert time.monotonic() < deadline, "the demo from the wheel never answered"
            time.sleep(0.5)
        signin = httpx.get(f"http://127.0.0.1:{port}/signin", timeout=5)  # templates inside
    finally:
        demo.terminate()
        demo.wait(timeout=30)

    assert signin.status_code == 200
    assert "<form" in signin.text
