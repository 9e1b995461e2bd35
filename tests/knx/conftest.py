"""Fixtures for the KNX channel: a private knxd, the bridge's channel on the real access core
(with the simulator as the TTLock cloud), and a second tunnel client playing the LogicMachine."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from conftest import RunningSimulator, StartSimulator
from ttlock_bridge.access import Access
from ttlock_bridge.channels.knx import KnxChannel
from ttlock_bridge.cloud import TTLockClient

from .knxd import KNXD, RunningKnxd, running_knxd
from .panel import Panel
from .site import running_channel, tunnel_to, tunnelling, write_config


@dataclass
class Bridge:
    access: Access
    channel: KnxChannel
    simulator: RunningSimulator
    cloud: TTLockClient


@pytest.fixture
def knxd(tmp_path: Path) -> Iterator[RunningKnxd]:
    if KNXD is None:
        pytest.skip("knxd is not installed: `make test` installs it (apt-get, as root)")
    with running_knxd(tmp_path) as running:
        yield running


@pytest.fixture
async def bridge(
    tmp_path: Path, knxd: RunningKnxd, start_simulator: StartSimulator
) -> AsyncIterator[Bridge]:
    simulator = start_simulator()
    config = write_config(tmp_path, simulator.base_url, tunnelling(knxd.port))
    async with running_channel(config, simulator.base_url) as running:
        yield Bridge(running.access, running.channel, simulator, running.cloud)


@pytest.fixture
async def panel(knxd: RunningKnxd) -> AsyncIterator[Panel]:
    async with Panel(tunnel_to(knxd.port)) as running:
        yield running
