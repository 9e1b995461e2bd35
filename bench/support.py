"""What several benchmarks share: the simulator in a child process, so it never shares our GIL."""

import os
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx

from ttlock_bridge.service.demo import write_demo_config
from ttlock_bridge.simulator import Scenario
from ttlock_bridge.simulator.scenario import (
    DEMO_CLIENT_ID,
    DEMO_CLIENT_SECRET,
    DEMO_PASSWORD,
    DEMO_USERNAME,
)

BRIDGE_TOKEN = "bench-api-token-0123456789"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@contextmanager
def simulator_process(scenario: Scenario, latency_ms: int = 0) -> Iterator[str]:
    """`ttlock-bridge simulator` in a child process, so it does not share our GIL."""
    port = free_port()
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


@contextmanager
def bridge_process(
    simulator_url: str,
    port: int | None = None,
    cloud: str = "",
    *,
    config_text: str | None = None,
    prepare: Callable[[Path], object] | None = None,
) -> Iterator[tuple[str, int]]:
    """`ttlock-bridge serve` on the demo configuration (or `config_text`), with `cloud` (TOML
    lines) added to its `[cloud]` section; `prepare(config_path)` runs before the bridge
    starts (e.g. `users add`). Yields (base URL, process id)."""
    port = port or free_port()
    with tempfile.TemporaryDirectory() as directory:
        config = write_demo_config(Path(directory), simulator_url, host="127.0.0.1", port=port)
        if config_text is not None:
            config.write_text(config_text)
        config.write_text(config.read_text().replace("[cloud]\n", f"[cloud]\n{cloud}\n"))
        if prepare is not None:
            prepare(config)
        environment = os.environ | {
            "BRIDGE_API_TOKEN": BRIDGE_TOKEN,
            "TTLOCK_CLIENT_ID": DEMO_CLIENT_ID,
            "TTLOCK_CLIENT_SECRET": DEMO_CLIENT_SECRET,
            "TTLOCK_USERNAME": DEMO_USERNAME,
            "TTLOCK_PASSWORD": DEMO_PASSWORD,
        }
        command = [sys.executable, "-m", "ttlock_bridge", "serve", "--config", str(config)]
        child = subprocess.Popen(  # noqa: S603 - our own CLI, fixed arguments
            command, env=environment, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        base_url = f"http://127.0.0.1:{port}"
        try:
            _wait_until_healthy(base_url, child)
            yield base_url, child.pid
        finally:
            child.terminate()
            child.wait(timeout=10)


def _wait_until_healthy(base_url: str, child: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if child.poll() is not None:
            raise RuntimeError("the bridge exited during start-up")
        try:
            httpx.get(f"{base_url}/healthz", timeout=1).raise_for_status()
            return
        except httpx.HTTPError:
            time.sleep(0.1)
    raise RuntimeError("the bridge did not start")
