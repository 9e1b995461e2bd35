"""`ttlock-bridge serve` as its own process on the simulator, its log (stderr) in a file."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from conftest import RunningSimulator
from service.bridge import API_TOKEN
from service.conftest import free_port
from ttlock_bridge.service.demo import write_demo_config
from ttlock_bridge.simulator.scenario import DEMO_PASSWORD

DATABASE = "ttlock-bridge.db"
"""The database file `serve` keeps in the data directory (the demo configuration's: the
configuration's own directory)."""


@dataclass
class ServeProcess:
    """A running `serve`: an authenticated client, the file its log goes to, the process."""

    api: httpx.Client = field(repr=False)
    log: Path
    process: subprocess.Popen[bytes] = field(repr=False)
    config: Path


def serve_environment(**environment: str) -> dict[str, str]:
    """The demo account's TTLock variables and the tests' API token; `environment` overrides."""
    return {
        **os.environ,
        "TTLOCK_CLIENT_ID": "demo-client-id",
        "TTLOCK_CLIENT_SECRET": "demo-client-secret",
        "TTLOCK_USERNAME": "demo@example.com",
        "TTLOCK_PASSWORD": DEMO_PASSWORD,
        "BRIDGE_API_TOKEN": API_TOKEN,
        **environment,
    }


def write_serve_config(data_dir: Path, simulator_url: str, *, port: int, extra: str = "") -> Path:
    """The demo configuration for a `serve` on `port`, with `extra` TOML tables appended (e.g.
    `[store]` with a PostgreSQL URL)."""
    config = write_demo_config(data_dir, simulator_url, host="127.0.0.1", port=port)
    if extra:
        config.write_text(config.read_text(encoding="utf-8") + "\n" + extra, encoding="utf-8")
    return config


@contextmanager
def serve_process(
    data_dir: Path, simulator_url: str, *, extra: str = "", **environment: str
) -> Iterator[ServeProcess]:
    """A `serve` process on the simulator at `simulator_url` with its data in `data_dir` and
    `extra` TOML appended to the demo configuration; stopped (SIGTERM) at the end unless the
    test ended it. `environment` overrides the TTLock variables."""
    port = free_port()
    config = write_serve_config(data_dir, simulator_url, port=port, extra=extra)
    log = data_dir / f"serve-{port}.log"
    with log.open("w") as stderr:
        process = subprocess.Popen(  # noqa: S603 - our own CLI with fixed arguments
            [sys.executable, "-m", "ttlock_bridge", "serve", "--config", str(config)],
            env=serve_environment(**environment),
            stdout=subprocess.DEVNULL,
            stderr=stderr,
        )
    url = f"http://127.0.0.1:{port}"
    try:
        with httpx.Client(base_url=url, headers={"Authorization": f"Bearer {API_TOKEN}"}) as api:
            _wait_until_up(api, process, log)
            yield ServeProcess(api, log, process, config)
    finally:
        if process.poll() is None:
            process.terminate()
        process.wait(timeout=20)


@contextmanager
def serving(
    data_dir: Path, simulator: RunningSimulator, **environment: str
) -> Iterator[tuple[httpx.Client, Path]]:
    """A `serve` process on `simulator` with its data in `data_dir`: an authenticated client
    and the file its log goes to. `environment` overrides the TTLock variables."""
    with serve_process(data_dir, simulator.base_url, **environment) as running:
        yield running.api, running.log


def _wait_until_up(api: httpx.Client, process: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        assert process.poll() is None, f"serve exited: {log.read_text()[-2000:]}"
        try:
            if api.get("/healthz").status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.1)
    raise AssertionError("serve did not come up in 30 s")
