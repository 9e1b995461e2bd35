"""What the service tests share: the running bridge handle and the demo hotel's numbers."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import httpx

from conftest import RunningSimulator
from ttlock_bridge.clock import wall_clock_ms
from ttlock_bridge.service.runtime import Runtime

API_TOKEN = "test-api-token-0123456789"
CALLBACK_SECRET = "callback-secret-0123456789"
MAIN_ENTRANCE = 1_000_001
ROOM_1 = 1_000_002


@dataclass
class RunningBridge:
    """The bridge at `url` (an authenticated client in `api`) and the simulator behind it."""

    url: str
    simulator: RunningSimulator
    runtime: Runtime
    api: httpx.Client = field(repr=False)
    anonymous: httpx.Client = field(repr=False)
    stop: Callable[[], None] = field(repr=False, default=lambda: None)
    """Shut the bridge (and its simulator) down before the test ends, as a stopped `serve`."""

    def passcodes_on(self, lock_id: int) -> list[dict[str, Any]]:
        """The passcodes the simulated lock itself holds."""
        lock = next(lock for lock in self.simulator.state()["locks"] if lock["lockId"] == lock_id)
        return [passcode for passcode in lock["passcodes"] if passcode["onLock"]]


StartBridge = Callable[..., RunningBridge]


class MovableClock:
    """The wall clock (UTC epoch ms), moved forward by `advance`: cached values age at once."""

    def __init__(self) -> None:
        self.offset_ms = 0

    def __call__(self) -> int:
        return wall_clock_ms() + self.offset_ms

    def advance(self, ms: int) -> None:
        self.offset_ms += ms
