"""Shared fixtures: a real simulated TTLock cloud over HTTP on 127.0.0.1, fresh per test."""

from collections.abc import Callable, Iterator
from contextlib import ExitStack
from dataclasses import dataclass, field
from typing import Any

import httpx
import pytest

from ttlock_bridge.simulator import Scenario, create_app, serve_in_background


@dataclass
class RunningSimulator:
    """A simulator listening on `base_url`, with shortcuts to its `/_sim/` control API."""

    base_url: str
    http: httpx.Client = field(default_factory=httpx.Client, repr=False)

    def state(self) -> dict[str, Any]:
        response = self.http.get(f"{self.base_url}/_sim/state")
        response.raise_for_status()
        result: dict[str, Any] = response.json()
        return result

    def control(self, path: str, body: dict[str, Any] | None = None) -> dict[str, Any]:
        """POST `body` (JSON) to `/_sim/<path>`; raises on a non-2xx answer."""
        response = self.http.post(f"{self.base_url}/_sim/{path.lstrip('/')}", json=body or {})
        response.raise_for_status()
        result: dict[str, Any] = response.json()
        return result


StartSimulator = Callable[..., RunningSimulator]


@pytest.fixture
def start_simulator() -> Iterator[StartSimulator]:
    """Factory `(scenario=None, latency_ms=None) -> RunningSimulator`, stopped after the test."""
    with ExitStack() as stack:

        def start(
            scenario: Scenario | None = None, latency_ms: int | None = None
        ) -> RunningSimulator:
            app = create_app(scenario, latency_ms=latency_ms)
            running = RunningSimulator(stack.enter_context(serve_in_background(app)))
            stack.callback(running.http.close)
            return running

        yield start


@pytest.fixture
def simulator(start_simulator: StartSimulator) -> RunningSimulator:
    """The built-in small-hotel simulator, fresh for this test."""
    return start_simulator()
