"""A private knxd for tests: our own INI, a free loopback UDP port, tunnelling only.

Never the packaged /etc/knxd.conf (a multicast client on the default interface): this knxd has
no bus driver, no routing and no discovery, just a UDP tunnelling server and a Unix socket used
to know when it is ready.
"""

from __future__ import annotations

import shutil
import socket
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

KNXD = shutil.which("knxd")
READY_TIMEOUT_S = 10.0


@dataclass(frozen=True)
class RunningKnxd:
    port: int
    log: Path


def free_udp_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def ini_text(port: int, unix_socket: Path) -> str:
    return f"""\
[main]
addr = 0.0.1
client-addrs = 0.0.2:8
connections = server,unix

[server]
server = ets_router
tunnel = tunnel
discover = false
port = {port}
interface = lo

[tunnel]

[unix]
server = knxd_unix
path = {unix_socket}
"""


@contextmanager
def running_knxd(directory: Path) -> Iterator[RunningKnxd]:
    """Start knxd from an INI file in `directory`; stop it (and wait) afterwards."""
    assert KNXD is not None, "knxd is not installed (make test installs it)"
    port = free_udp_port()
    unix_socket = directory / "knxd.sock"
    ini = directory / "knxd.ini"
    ini.write_text(ini_text(port, unix_socket), encoding="utf-8")
    log = directory / "knxd.log"
    with log.open("wb") as output:
        process = subprocess.Popen([KNXD, str(ini)], stdout=output, stderr=subprocess.STDOUT)  # noqa: S603
    try:
        deadline = time.monotonic() + READY_TIMEOUT_S
        while not unix_socket.exists():
            if process.poll() is not None:
                raise RuntimeError(f"knxd exited at start: {log.read_text(errors='replace')}")
            if time.monotonic() > deadline:
                raise RuntimeError("knxd did not become ready")
            time.sleep(0.02)
        yield RunningKnxd(port, log)
    finally:
        process.terminate()
        try:
            process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
