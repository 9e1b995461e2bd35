"""Fixtures for the KNX channel: a private knxd, the bridge's channel on the real access core
(with the simulator as the TTLock cloud), and a second tunnel client playing the LogicMachine."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from xknx.io import ConnectionConfig, ConnectionType

from conftest import RunningSimulator, StartSimulator
from ttlock_bridge.access import Access
from ttlock_bridge.channels.knx import KnxChannel
from ttlock_bridge.cloud import Credentials, RetryPolicy, TTLockClient
from ttlock_bridge.config import Config, load_config
from ttlock_bridge.simulator.scenario import (
    DEMO_CLIENT_ID,
    DEMO_CLIENT_SECRET,
    DEMO_PASSWORD,
    DEMO_USERNAME,
)
from ttlock_bridge.store import open_store

from .knxd import KNXD, RunningKnxd, running_knxd
from .panel import Panel

MAIN_ENTRANCE = 1_000_001
ROOM_1 = 1_000_002
ROOM_1_BLOCK = "1/1/0"
ROOM_1_DOOR_STATE, ROOM_1_DOOR_BATTERY, ROOM_1_DOOR_EVENT = "3/1/0", "3/1/1", "3/1/2"
CONNECT_WAIT_S = 10.0

CONFIG = """
[property]
name = "Hotel Aurora"
timezone = "Europe/Athens"

[doors.main-entrance]
lock_id = 1000001
[doors.room-1]
lock_id = 1000002
[doors.room-2]
lock_id = 1000003

[rooms.room-1]
doors = ["room-1"]
shared_doors = ["main-entrance"]
[rooms.room-2]
doors = ["room-2"]
shared_doors = ["main-entrance"]

[cloud]
api_base = "{api_base}"

[knx]
gateway_ip = "127.0.0.1"
gateway_port = {port}
local_ip = "127.0.0.1"

[knx.rooms.room-1]
base = "1/1/0"
[knx.rooms.room-2]
base = "1/2/0"

[knx.doors.room-1]
state = "3/1/0"
battery = "3/1/1"
event = "3/1/2"
"""

FAST_RETRIES = RetryPolicy(base_delay=0.01, max_delay=0.05, max_attempts=3, max_elapsed=2.0)


@dataclass
class Bridge:
    config: Config
    access: Access
    channel: KnxChannel
    simulator: RunningSimulator


def write_config(directory: Path, api_base: str, port: int) -> Config:
    path = directory / "ttlock-bridge.toml"
    path.write_text(CONFIG.format(api_base=api_base, port=port), encoding="utf-8")
    return load_config(path)


def tunnel_to(port: int) -> ConnectionConfig:
    return ConnectionConfig(
        connection_type=ConnectionType.TUNNELING,
        gateway_ip="127.0.0.1",
        gateway_port=port,
        local_ip="127.0.0.1",
    )


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
    """The KNX channel on a real Access (SQLite, simulated cloud), connected through knxd."""
    simulator = start_simulator()
    config = write_config(tmp_path, simulator.base_url, knxd.port)
    assert config.knx is not None
    store = open_store(config.store_url)
    credentials = Credentials.with_password(
        DEMO_CLIENT_ID, DEMO_CLIENT_SECRET, DEMO_USERNAME, DEMO_PASSWORD
    )
    cloud = TTLockClient(credentials, api_base=simulator.base_url, retry_policy=FAST_RETRIES)
    access = Access(config, store, cloud)
    channel = KnxChannel(config.knx, access)
    await channel.start()
    try:
        await wait_until_ready(channel)
        yield Bridge(config, access, channel, simulator)
    finally:
        await channel.stop()
        await cloud.aclose()
        store.close()


@pytest.fixture
async def panel(knxd: RunningKnxd) -> AsyncIterator[Panel]:
    async with Panel(tunnel_to(knxd.port)) as running:
        yield running


async def wait_until_ready(channel: KnxChannel) -> None:
    for _ in range(int(CONNECT_WAIT_S / 0.02)):
        if channel.status().ready:
            return
        await asyncio.sleep(0.02)
    raise AssertionError(f"the KNX channel did not connect: {channel.status().detail}")
