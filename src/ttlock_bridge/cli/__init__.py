"""Command-line interface: `ttlock-bridge <command>`.

Each module below attaches its commands to the one Typer `app`; importing them is what
registers them.
"""

from ttlock_bridge.cli import bookings as _bookings  # noqa: F401  (registers bookings)
from ttlock_bridge.cli import cloud as _cloud  # noqa: F401  (registers login, locks, unlock...)
from ttlock_bridge.cli import config as _config  # noqa: F401  (registers check-config)
from ttlock_bridge.cli import first_run as _first_run  # noqa: F401  (registers init)
from ttlock_bridge.cli import grants as _grants  # noqa: F401  (grants, cleanup, drift)
from ttlock_bridge.cli import serve as _serve  # noqa: F401  (registers serve, demo)
from ttlock_bridge.cli import simulator as _simulator  # noqa: F401  (registers simulator)
from ttlock_bridge.cli import users as _users  # noqa: F401  (registers users)
from ttlock_bridge.cli.app import app

__all__ = ["app"]
