"""The REST channel: the bridge's HTTP API (FastAPI), documented by its OpenAPI schema."""

from ttlock_bridge.channels.rest.app import create_app
from ttlock_bridge.channels.rest.dependencies import Bridge

__all__ = ["Bridge", "create_app"]
