"""KNX routing (multicast) end to end, only ever inside a private network namespace.

The body (routing_body.py) runs in a subprocess under `unshare -n` with loopback up and the
multicast range routed to `lo`, so no multicast telegram can leave the machine.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

TESTS_DIR = Path(__file__).resolve().parents[1]
SOURCE_DIR = TESTS_DIR.parent / "src"
PRIVATE_NETWORK = [
    "unshare",
    "-n",
    "sh",
    "-c",
    'ip link set lo up && ip route add 224.0.0.0/4 dev lo && exec "$@"',
    "namespace-setup",
]


def run_body(prefix: list[str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(  # noqa: S603 - fixed argument lists
        [*prefix, sys.executable, "-m", "knx.routing_body"],
        check=False,
        cwd=TESTS_DIR,
        env={**os.environ, "PYTHONPATH": os.pathsep.join([str(TESTS_DIR), str(SOURCE_DIR)])},
        capture_output=True,
        text=True,
        timeout=90,
    )


def test_a_trigger_over_routing_issues_the_grant() -> None:
    if os.geteuid() != 0 or shutil.which("unshare") is None or shutil.which("ip") is None:
        pytest.skip("needs root, unshare and ip for a private network namespace")

    result = run_body(PRIVATE_NETWORK)

    assert result.returncode == 0, result.stdout + result.stderr
    assert "ROUTING OK" in result.stdout


def test_the_routing_body_refuses_the_host_network() -> None:
    result = run_body([])

    assert result.returncode == 2
    assert "refusing to run" in result.stdout
