"""A real bridge over HTTP on 127.0.0.1, on a fresh simulated small hotel, per test.

The bridge runs exactly as `serve` runs it (uvicorn, lifespan starting the runtime), with the
demo configuration in a temporary directory and the simulator's callbacks wired to it.
"""

from __future__ import annotations

import socket
from collections.abc import Callable, Iterator
from contextlib import ExitStack
from pathlib import Path

import httpx
import pytest

from conftest import RunningSimulator
from service.bridge import API_TOKEN, RunningBridge, StartBridge
from ttlock_bridge.clock import Clock, wall_clock_ms
from ttlock_bridge.config import Config, load_config
from ttlock_bridge.config.bookings import BookingSettings
from ttlock_bridge.config.mqtt import MqttSettings
from ttlock_bridge.service.demo import demo_credentials, demo_scenario, write_demo_config
from ttlock_bridge.service.runtime import Runtime
from ttlock_bridge.simulator import Scenario, serve_in_background
from ttlock_bridge.simulator import create_app as create_simulator


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@pytest.fixture
def start_bridge(tmp_path: Path) -> Iterator[StartBridge]:
    """Factory `(scenario_change=None, cloud=None, mqtt=None, **server_settings) ->
    RunningBridge`.

    `scenario_change` edits the demo scenario (e.g. shorter auto-lock); `config_change` edits the
    loaded configuration (e.g. fewer doors) before the bridge starts; `before_start` prepares
    the simulated cloud before the bridge starts (e.g. a fault it meets at start); `cloud` overrides
    `[cloud]` keys (e.g. a short `gateway_poll` as a timedelta); `mqtt` is the `[mqtt]` section
    (`MqttSettings`, the MQTT channel runs); `console` `[console]` keys (e.g. `unlock`);
    `bookings` the `[bookings]` sections (room -> `BookingSettings`, feeds given);
    `server_settings` override
    `[server]` keys such as `compat_get_unlock` or `callback_secret`; `clock` the bridge's
    clock (e.g. a `MovableClock` to let cached values age).
    """
    with ExitStack() as stack:

        def start(
            scenario_change: Callable[[Scenario], Scenario] | None = None,
            cloud: dict[str, object] | None = None,
            before_start: Callable[[RunningSimulator], object] | None = None,
            mqtt: MqttSettings | None = None,
            console: dict[str, object] | None = None,
            *,
            clock: Clock = wall_clock_ms,
            config_change: Callable[[Config], Config] | None = None,
            bookings: dict[str, BookingSettings] | None = None,
            **server: object,
        ) -> RunningBridge:
            own = ExitStack()  # this bridge's, closed by its `stop` or at the end of the test
            stack.callback(own.close)
            port = free_port()
            callback = f"http://127.0.0.1:{port}/ttlock/callback"
            if server.get("callback_secret"):
                callback += f"/{server['callback_secret']}"
            scenario = demo_scenario(callback)
            if scenario_change is not None:
                scenario = scenario_change(scenario)
            simulator_url = own.enter_context(serve_in_background(create_simulator(scenario)))
            simulator = RunningSimulator(simulator_url)
            own.callback(simulator.http.close)
            if before_start is not None:
                before_start(simulator)
            path = write_demo_config(tmp_path, simulator_url, host="127.0.0.1", port=port)
            config = load_config(path)
            config = config.model_copy(
                update={
                    "server": config.server.model_copy(update=server),
                    "cloud": config.cloud.model_copy(update=cloud or {}),
                    "mqtt": mqtt,
                    "console": config.console.model_copy(update=console or {}),
                    "bookings": bookings or {},
                }
            )
            if config_change is not None:
                config = config_change(config)
            runtime = Runtime.build(
                config, demo_credentials(), api_base=simulator_url, api_token=API_TOKEN, clock=clock
            )
            url = own.enter_context(serve_in_background(runtime.http_app(), port=port))
            api = own.enter_context(
                httpx.Client(base_url=url, headers={"Authorization": f"Bearer {API_TOKEN}"})
            )
            anonymous = own.enter_context(httpx.Client(base_url=url))
            return RunningBridge(url, simulator, runtime, api, anonymous, stop=own.close)

        yield start


@pytest.fixture
def bridge(start_bridge: StartBridge) -> RunningBridge:
    """The bridge on the demo hotel with default settings."""
    return start_bridge()
