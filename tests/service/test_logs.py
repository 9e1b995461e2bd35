"""Logs (issue 19, item 13): secrets redacted by value wherever they appear, error codes never.

Over HTTP on a `serve` process: the TTLock password as typed (not only its MD5) must not reach
the log, also URL-encoded, and `errcode=` must show what TTLock said.
"""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from conftest import RunningSimulator
from service.bridge import API_TOKEN
from service.serve_process import serving
from ttlock_bridge.cli.serve import secret_values
from ttlock_bridge.config import load_config
from ttlock_bridge.operations.logs import REDACTED, RedactingFormatter
from ttlock_bridge.service.demo import demo_credentials, write_demo_config

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


@pytest.mark.parametrize(
    ("line", "kept"),
    [
        (
            "event=mqtt_connect_failed error=[code:135] Not authorized (check [mqtt] username)",
            "error=[code:135] Not authorized",
        ),
        ("error=[code:134] Bad user name or password", "[code:134] Bad user name or password"),
        ("reasonCode=0 code=7", "reasonCode=0 code=7"),
        ("http code: 404", "code: 404"),
    ],
)
def test_reason_codes_are_no_passcodes(line: str, kept: str) -> None:
    record = logging.LogRecord("x", logging.INFO, __file__, 1, "%s", (line,), None)

    assert kept in RedactingFormatter([]).format(record)


@pytest.mark.parametrize(
    ("line", "hidden"),
    [
        ("code=123456", "123456"),
        ("code: 4821", "4821"),
        ("[code:48213]", "48213"),
        ("passcode=123", "123"),
        ("keyboardPwd=12", "=12"),
        ("new_code=abc", "abc"),
        ("callback?code=9f8e7d&state=x", "9f8e7d"),  # an OAuth code, not a number
    ],
)
def test_passcodes_after_a_code_key_stay_hidden(line: str, hidden: str) -> None:
    record = logging.LogRecord("x", logging.INFO, __file__, 1, "%s", (line,), None)

    assert hidden not in RedactingFormatter([]).format(record)


def test_the_mqtt_password_is_redacted_wherever_it_appears(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("MQTT_PASSWORD", "broker pass/4711")
    path = write_demo_config(tmp_path, "http://127.0.0.1:9", host="127.0.0.1", port=8080)
    secrets = secret_values(load_config(path), demo_credentials(), API_TOKEN)
    line = "url=mqtt://bridge:broker%20pass%2F4711@broker.local said 'broker pass/4711'"
    record = logging.LogRecord("x", logging.INFO, __file__, 1, "%s", (line,), None)

    text = RedactingFormatter(secrets).format(record)

    assert "4711" not in text
    assert "mqtt://bridge:[redacted]@broker.local" in text
