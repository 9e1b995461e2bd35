"""The test property (a hotel on the default simulator scenario) and the bridge's KNX channel
on the real access core, shared by the KNX tests and bench/bench_knx.py."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path

from xknx.io import ConnectionConfig, ConnectionType

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

MAIN_ENTRANCE = 1_000_001
ROOM_1 = 1_000_002
CONNECT_WAIT_S = 10.0
FAST_RETRIES = RetryPolicy(base_delay=0.01, max_delay=0.05, max_attempts=3, max_elapsed=2.0)

CONFIG = """
[property]
name = "Hotel Aurora"
timezone = "Europe/Athens"

[doors.main-entrance]
lock_id = 1000001
mode = "online"
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
{connection}

[knx.rooms.room-1]
base = "1/1/0"
[knx.rooms.room-2]
base = "1/2/0"

[knx.doors.room-1]
state = "3/1/0"
battery = "3/1/1"
event = "3/1/2"
unlock = "3/1/3"
"""


def tunnelling(port: int) -> str:
    """The `[knx]` connection keys for a tunnel to a gateway on 127.0.0.1:port."""
    return f'gateway_ip = "127.0.0.1"\ngateway_port = {port}\nlocal_ip = "127.0.0.1"'


def write_config(directory: Path, api_base: str, connection: str) -> Config:
    path = directory / "ttlock-bridge.toml"
    path.write_text(CONFIG.format(api_base=api_base, connection=connection), encoding="utf-8")
    return load_config(path)


def tunnel_to(port: int) -> ConnectionConfig:
    """A second tunnel client's connection (the LogicMachine stand-in)."""
    return ConnectionConfig(
        connection_type=ConnectionType.TUNNELING,
        gateway_ip="127.0.0.1",
        gateway_port=port,
        local_ip="127.0.0.1",
    )


@dataclass
class RunningChannel:
    access: Access
    channel: KnxChannel
    cloud: TTLockClient


@asynccontextmanager
async def running_channel(
    config: Config, api_base: str, *, connected: bool = True
) -> AsyncIterator[RunningChannel]:
    """The KNX channel on a real Access (store from the config, simulated cloud), started and,
    unless told otherwise, connected."""
    assert config.knx is not None
    store = open_store(config.store_url)
    credentials = Credentials.with_password(
        DEMO_CLIENT_ID, DEMO_CLIENT_SECRET, DEMO_USERNAME, DEMO_PASSWORD
    )
    cloud = TTLockClient(credentials, api_base=api_base, retry_policy=FAST_RETRIES)
    access = Access(config, store, cloud)
    channel = KnxChannel(config.knx, access, unlock=lambda door: cloud.unlock(door.lock_id))
    await channel.start()
    try:
        if connected:
            await wait_until_ready(channel)
        yield RunningChannel(access, channel, cloud)
    finally:
        await channel.stop()
        await cloud.aclose()
        store.close()


async def wait_until_ready(channel: KnxChannel) -> None:
    for _ in range(int(CONNECT_WAIT_S / 0.02)):
        if channel.status().ready:
            return
        await asyncio.sleep(0.02)
    raise AssertionError(f"the KNX channel did not connect: {channel.status().detail}")
