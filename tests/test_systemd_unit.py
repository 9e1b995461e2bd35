"""The shipped systemd unit is one systemd itself accepts (`systemd-analyze verify`)."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

UNIT = Path(__file__).resolve().parents[1] / "contrib" / "systemd" / "ttlock-bridge.service"


@pytest.mark.skipif(shutil.which("systemd-analyze") is None, reason="no systemd-analyze here")
def test_systemd_accepts_the_unit(tmp_path: Path) -> None:
    bridge = Path(sys.executable).with_name("ttlock-bridge")
    unit = tmp_path / UNIT.name
    unit.write_text(UNIT.read_text().replace("/opt/ttlock-bridge/bin/ttlock-bridge", str(bridge)))

    verified = subprocess.run(  # noqa: S603 - systemd's own checker on our file
        ["systemd-analyze", "verify", str(unit)],  # noqa: S607
        capture_output=True,
        text=True,
        check=False,
    )

    assert verified.returncode == 0, verified.stderr
    assert verified.stderr.strip() == ""
