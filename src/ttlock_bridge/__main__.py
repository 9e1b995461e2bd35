"""`python -m ttlock_bridge` runs the command-line interface."""

from ttlock_bridge.cli import app

app()
