"""The console script answers `--version` and `--help` without touching anything else."""

import subprocess
import sys

from ttlock_bridge import __version__


def test_version_is_printed_by_the_installed_console_script() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "ttlock_bridge", "--version"],
        capture_output=True,
        text=True,
        check=True,
    )
    assert result.stdout.strip() == f"ttlock-bridge {__version__}"
