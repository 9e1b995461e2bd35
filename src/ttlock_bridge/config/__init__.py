"""The property's configuration: one TOML file describing the building, its doors and rooms."""

from ttlock_bridge.config.loading import DATABASE_FILE_NAME, load_config, load_config_text
from ttlock_bridge.config.models import (
    CloudSettings,
    Config,
    Defaults,
    Door,
    PropertySettings,
    Room,
    ServerSettings,
)
from ttlock_bridge.config.problems import ConfigError, Problem

__all__ = [
    "DATABASE_FILE_NAME",
    "CloudSettings",
    "Config",
    "ConfigError",
    "Defaults",
    "Door",
    "Problem",
    "PropertySettings",
    "Room",
    "ServerSettings",
    "load_config",
    "load_config_text",
]
