"""A hotel wired for real: config file, SQLite ledger, cloud client, all on a fresh simulator."""

from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from cloud.cloud_fixtures import client_for
from conftest import RunningSimulator
from ttlock_bridge.access import Access
from ttlock_bridge.clock import wall_clock_ms
from ttlock_bridge.cloud import TTLockClient
from ttlock_bridge.config import Config, load_config
from ttlock_bridge.store import Store, open_store

MAIN_ENTRANCE = 1_000_001
ROOM_1 = 1_000_002
ROOM_2 = 1_000_003

HOTEL_TOML = """
[property]
name = "Hotel Test"
timezone = "Europe/Athens"

[defaults]
cleanup_grace = "24h"

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
"""


class TestClock:
    """The bridge's clock: wall time plus however far a test moved the simulated world."""

    __test__ = False

    def __init__(self) -> None:
        self.offset_ms = 0

    def __call__(self) -> int:
        return wall_clock_ms() + self.offset_ms


@dataclass
class Hotel:
    simulator: RunningSimulator
    access: Access
    cloud: TTLockClient
    store: Store
    clock: TestClock
    config_path: Path

    def advance(self, ms: int) -> None:
        """Move the simulated cloud and the bridge forward together."""
        self.simulator.control("clock", {"advance_ms": ms})
        self.clock.offset_ms += ms

    def passcodes_on(self, lock_id: int) -> list[dict[str, Any]]:
        """What the simulated lock itself holds (written through the gateway)."""
        lock = next(lock for lock in self.simulator.state()["locks"] if lock["lockId"] == lock_id)
        return [passcode for passcode in lock["passcodes"] if passcode["onLock"]]

    def calls(self, path: str) -> int:
        count: int = self.simulator.state()["calls"].get(path, 0)
        return count

    def reconfigure(self, change: Callable[[Config], Config]) -> Access:
        """The same process with `change`d configuration (e.g. a door's mode)."""
        config = change(self.access.config)
        self.access = Access(config, self.store, self.cloud, clock=self.clock)
        return self.access

    def restart(self) -> Access:
        """A new process on the same ledger: fresh client, fresh access core."""
        cloud = client_for(self.simulator.base_url)
        self.access = Access(self.access.config, self.store, cloud, clock=self.clock)
        return self.access


@pytest.fixture
async def hotel(simulator: RunningSimulator, tmp_path: Path) -> AsyncIterator[Hotel]:
    config_path = tmp_path / "ttlock-bridge.toml"
    config_path.write_text(HOTEL_TOML)
    config = load_config(config_path)
    store = open_store(config.store_url)
    clock = TestClock()
    async with client_for(simulator.base_url) as cloud:
        yield Hotel(
            simulator, Access(config, store, cloud, clock=clock), cloud, store, clock, config_path
        )
    store.close()


def door_modes(mode: str, *doors: str) -> Callable[[Config], Config]:
    """A configuration change: `doors` (every door if none named) in `mode`."""

    def change(config: Config) -> Config:
        named = doors or tuple(config.doors)
        changed = {
            name: door.model_copy(update={"mode": mode}) if name in named else door
            for name, door in config.doors.items()
        }
        return config.model_copy(update={"doors": changed})

    return change
