"""What several benchmarks share: the simulator in a child process, so it never shares our GIL."""

import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx

from ttlock_bridge.simulator import Scenario


@contextmanager
def simulator_process(scenario: Scenario, latency_ms: int = 0) -> Iterator[str]:
    """`ttlock-bridge simulator` in a child process, so it does not share our GIL."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    with tempfile.TemporaryDirectory() as directory:
        scenario_file = Path(directory) / "scenario.json"
        scenario_file.write_text(scenario.model_dump_json())
        command = [sys.executable, "-m", "ttlock_bridge", "simulator", "--port", str(port)]
        command += ["--scenario", str(scenario_file), "--latency-ms", str(latency_ms)]
        child = subprocess.Popen(  # noqa: S603 - our own CLI, fixed arguments
            command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        base_url = f"http://127.0.0.1:{port}"
        try:
            _wait_until_up(base_url, child)
            yield base_url
        finally:
            child.terminate()
            child.wait(timeout=10)


def _wait_until_up(base_url: str, child: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        if child.poll() is not None:
            raise RuntimeError("the simulator exited during start-up")
        try:
            httpx.get(f"{base_url}/_sim/state", timeout=1).raise_for_status()
            return
        except httpx.HTTPError:
            time.sleep(0.1)
    raise RuntimeError("the simulator did not start")
