"""The REST channel: the bridge's HTTP API (FastAPI), documented by its OpenAPI schema."""

from ttlock_bridge.channels.rest.app import create_app

__all__ = ["create_app"]
