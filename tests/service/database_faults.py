"""A database that says no, made real: SQLite locked by another process, or read-only."""

from __future__ import annotations

import os
import shutil
import stat
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

_HOLD_EXCLUSIVE = """
import sqlite3, sys
connection = sqlite3.connect(sys.argv[1], isolation_level=None)
connection.execute("BEGIN EXCLUSIVE")
print("locked", flush=True)
sys.stdin.read()
connection.execute("ROLLBACK")
"""


@contextmanager
def locked_by_another_process(database: Path) -> Iterator[None]:
    """Another process holds `BEGIN EXCLUSIVE` on `database` until the block ends."""
    holder = subprocess.Popen(  # noqa: S603 - our interpreter, a fixed script
        [sys.executable, "-c", _HOLD_EXCLUSIVE, str(database)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout is not None
        assert holder.stdout.readline().strip() == "locked"
        yield
    finally:
        assert holder.stdin is not None
        holder.stdin.close()
        holder.wait(timeout=10)


@contextmanager
def read_only(database: Path) -> Iterator[None]:
    """`database` cannot be written until the block ends: mode 0444, and for root (whom modes
    do not stop) the immutable attribute."""
    mode = database.stat().st_mode
    database.chmod(stat.S_IRUSR | stat.S_IRGRP | stat.S_IROTH)
    immutable = os.geteuid() == 0
    if immutable:
        chattr = shutil.which("chattr")
        if chattr is None or subprocess.run([chattr, "+i", str(database)], check=False).returncode:  # noqa: S603
            database.chmod(mode)
            pytest.skip("running as root without chattr: no way to make a file read-only")
    try:
        yield
    finally:
        if immutable:
            subprocess.run(["chattr", "-i", str(database)], check=True)  # noqa: S603, S607
        database.chmod(mode)
