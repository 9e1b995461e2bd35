"""Which configuration a command runs on: the file, or zero-config mode's when there is none.

Its own module so that the commands' shared helpers (`context`) never import the first-run code
that builds zero-config mode's configuration (it uses those helpers itself).
"""

from __future__ import annotations

import asyncio
import os
from pathlib import Path
from typing import TYPE_CHECKING

from ttlock_bridge.cli.context import (
    CREDENTIAL_VARIABLES,
    DEFAULT_CONFIG_PATH,
    CommandProblem,
    api_base_for,
    credentials_from_environment,
)

if TYPE_CHECKING:
    from ttlock_bridge.config import Config


def load_config_or_problem(path: Path = DEFAULT_CONFIG_PATH) -> Config:
    """The configuration file at `path`; or, when the file the default or BRIDGE_CONFIG names
    is missing and the TTLock account is in the environment, what zero-config mode assumes
    (the same for `serve` and every other command, so a zero-config install has a console
    and a CLI too)."""
    from ttlock_bridge.config import ConfigError, load_config

    if zero_config_wanted(path):
        return _zero_config()
    try:
        return load_config(path)
    except ConfigError as error:
        lines = [str(problem) for problem in error.problems]
        missing = [name for name in CREDENTIAL_VARIABLES if not os.environ.get(name)]
        if not path.exists() and 0 < len(missing) < len(CREDENTIAL_VARIABLES):
            lines.append(f"zero-config mode needs {', '.join(missing)} too")
        lines.append(f"{path}: fix the problems above (ttlock-bridge check-config)")
        raise CommandProblem("\n".join(lines)) from None


def zero_config_wanted(path: Path) -> bool:
    """No file where the default or BRIDGE_CONFIG (the container image's) points, and the
    account in the environment. A missing file named with --config stays an error (a typo
    must not start a different bridge)."""
    implicit = path == DEFAULT_CONFIG_PATH or str(path) == os.environ.get("BRIDGE_CONFIG")
    account = all(os.environ.get(name) for name in CREDENTIAL_VARIABLES)
    return implicit and account and not path.exists()


def _zero_config() -> Config:
    """Zero-config mode's configuration, read from the account (a lock-list call), also from
    a command that already runs in an event loop (the read then runs in a thread of its own)."""
    from concurrent.futures import ThreadPoolExecutor

    from ttlock_bridge.cli.first_run import zero_config

    def read() -> Config:
        data_dir = Path(os.environ.get("BRIDGE_DATA_DIR") or "data")
        return zero_config(data_dir, credentials_from_environment(), api_base_for(None))

    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return read()
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(read).result()
