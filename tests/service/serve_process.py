"""`ttlock-bridge serve` as its own process on the simulator, its log (stderr) in a file."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
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


@contextmanager
def serving(
    data_dir: Path, simulator: RunningSimulator, **environment: str
) -> Iterator[tuple[httpx.Client, Path]]:
    """A `serve` process on `simulator` with its data in `data_dir`: an authenticated client
    and the file its log goes to. `environment` overrides the TTLock variables."""
    port = free_port()
    config = write_demo_config(data_dir, simulator.base_url, host="127.0.0.1", port=port)
    log = data_dir / f"serve-{port}.log"
    variables = {
        **os.environ,
        "TTLOCK_CLIENT_ID": "demo-client-id",
        "TTLOCK_CLIENT_SECRET": "demo-client-secret",
        "TTLOCK_USERNAME": "demo@example.com",
        "TTLOCK_PASSWORD": DEMO_PASSWORD,
        "BRIDGE_API_TOKEN": API_TOKEN,
        **environment,
    }
    with log.open("w") as stderr:
        process = subprocess.Popen(  # noqa: S603 - our own CLI with fixed arguments
            [sys.executable, "-m", "ttlock_bridge", "serve", "--config", str(config)],
            env=variables,
            stdout=subprocess.DEVNULL,
            stderr=stderr,
        )
    url = f"http://127.0.0.1:{port}"
    try:
        with httpx.Client(base_url=url, headers={"Authorization": f"Bearer {API_TOKEN}"}) as api:
            _wait_until_up(api, process)
            yield api, log
    finally:
        process.terminate()
        process.wait(timeout=20)


def _wait_until_up(api: httpx.Client, process: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        assert process.poll() is None, "serve exited"
        try:
            if api.get("/healthz").status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.1)
    raise AssertionError("serve did not come up in 30 s")
