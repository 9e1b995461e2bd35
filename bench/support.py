"""What several benchmarks share: the simulator in a child process, so it never shares our GIL."""

import glob
import os
import pwd
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import psycopg

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


@contextmanager
def private_postgres() -> Iterator[str]:
    """A throw-away PostgreSQL server on a free localhost port (the tests' fixture in
    `tests/store/conftest.py` does the same under pytest): yields the URL of an empty database.
    Needs the server binaries (Debian's `postgresql` package); as root it runs as `postgres`."""
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
    if not found:
        raise RuntimeError("PostgreSQL server binaries not installed (apt-get install postgresql)")
    binaries = Path(found[-1]).parent
    as_postgres = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
    port = free_port()
    with tempfile.TemporaryDirectory(prefix="bench-pg-") as directory:
        if as_postgres:
            entry = pwd.getpwnam("postgres")
            os.chown(directory, entry.pw_uid, entry.pw_gid)
        data = f"{directory}/data"

        def run(*command: str) -> None:
            subprocess.run(  # noqa: S603 - the server binaries, arguments built here
                [*as_postgres, *command], check=True, capture_output=True, timeout=60
            )

        run(str(binaries / "initdb"), "-D", data, "-U", "postgres", "--auth=trust", "--no-sync")
        options = f"-p {port} -c listen_addresses=127.0.0.1 -k {directory} -c fsync=off"
        run(
            str(binaries / "pg_ctl"),
            "-D",
            data,
            "-o",
            options,
            "-l",
            f"{directory}/log",
            "-w",
            "start",
        )
        try:
            admin = f"postgresql://postgres@127.0.0.1:{port}/postgres"
            with psycopg.connect(admin, autocommit=True) as connection:
                connection.execute("CREATE DATABASE bench")
            yield f"postgresql+psycopg://postgres@127.0.0.1:{port}/bench"
        finally:
            run(str(binaries / "pg_ctl"), "-D", data, "-m", "fast", "stop")
