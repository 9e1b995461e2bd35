"""A faithful simulator of the TTLock cloud Open API, independent of the project's cloud client.

Used by tests, benchmarks and demo mode; see docs/simulator.md.
"""

from ttlock_bridge.simulator.app import create_app
from ttlock_bridge.simulator.errors import ApiError, ScenarioError, SimulatorError
from ttlock_bridge.simulator.scenario import Scenario, default_scenario, load_scenario
from ttlock_bridge.simulator.server import serve_in_background

__all__ = [
    "ApiError",
    "Scenario",
    "ScenarioError",
    "SimulatorError",
    "create_app",
    "default_scenario",
    "load_scenario",
    "serve_in_background",
]
