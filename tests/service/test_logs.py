"""Logs (issue 19, item 13): secrets redacted by value wherever they appear, error codes never.

Over HTTP on a `serve` process: the TTLock password as typed (not only its MD5) must not reach
the log, also URL-encoded, and `errcode=` must show what TTLock said.
"""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from conftest import RunningSimulator
from service.serve_process import serving
from ttlock_bridge.operations.logs import REDACTED, RedactingFormatter

PASSWORD = "Pa ss&wörd-73"


def test_serve_redacts_the_plain_password_by_value_and_keeps_error_codes(
    simulator: RunningSimulator, tmp_path: Path
) -> None:
    simulator.control("users/demo@example.com/password", {"password": PASSWORD})
    simulator.control("locks/1000002", {"remoteUnlock": False})

    with serving(tmp_path, simulator, TTLOCK_PASSWORD=PASSWORD) as (bridge, log):
        assert bridge.get("/api/v1/locks").status_code == 200  # logged in with the password
        bridge.get("/healthz", params={"probe": PASSWORD})  # the access log writes the query
        bridge.get(f"/healthz?raw={PASSWORD}")
        refused = bridge.post("/api/v1/locks/room-1/unlock")

    text = log.read_text()
    assert refused.status_code == 502
    errcode = refused.json()["errcode"]
    assert f"errcode={errcode}" in text
    assert f"errcode={REDACTED}" not in text
    assert "/healthz?probe=" in text
    for shown in (PASSWORD, "Pa+ss%26w%C3%B6rd-73", "Pa%20ss%26w%C3%B6rd-73", "w%C3%B6rd"):
        assert shown not in text


@pytest.mark.parametrize(
    ("line", "kept", "hidden"),
    [
        ("event=cloud_error errcode=-3007 keyboardPwd=583190", "errcode=-3007", "583190"),
        ('{"errcode":-2012,"accessToken":"a1b2c3d4"}', "'errcode':-2012", "a1b2c3d4"),
        ("error_code=1 masked_code=****56 new_keyboard_pwd=694021", "masked_code=****56", "694021"),
        ("Authorization: Bearer tok-tok-tok", "Authorization: Bearer", "tok-tok-tok"),
        ("code: 480213 status_code=502", "status_code=502", "480213"),
        ("json \\u0022s3cr\\\\et\\u0022", "json", "s3cr\\\\et"),
    ],
)
def test_the_formatter_hides_secrets_and_values_of_secret_keys_only(
    line: str, kept: str, hidden: str
) -> None:
    formatter = RedactingFormatter(["s3cr\\et"])
    record = logging.LogRecord("x", logging.INFO, __file__, 1, "%s", (line,), None)

    text = formatter.format(record)

    assert kept in text
    assert hidden not in text
