"""The `[mqtt]` section: defaults, doors that accept commands, TLS files, and the password that
never goes in the file."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from ttlock_bridge.cli import app
from ttlock_bridge.config import ConfigError, Problem, load_config

BASE = """
[property]
name = "Hotel Aurora"
timezone = "Europe/Athens"

[doors.main-entrance]
lock_id = 1000001
[doors.room-12]
lock_id = 1000002
"""


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "ttlock-bridge.toml"
    path.write_text(BASE + text, encoding="utf-8")
    return path


def problems_of(path: Path) -> dict[str, Problem]:
    with pytest.raises(ConfigError) as caught:
        load_config(path)
    return {problem.key: problem for problem in caught.value.problems}


def test_no_mqtt_section_means_no_channel(tmp_path: Path) -> None:
    assert load_config(write(tmp_path, "")).mqtt is None


def test_defaults_and_commands_off_unless_set(tmp_path: Path) -> None:
    text = '[mqtt]\nhost = "broker.local"\n[mqtt.doors.room-12]\ncommands = true\n'
    mqtt = load_config(write(tmp_path, text)).mqtt

    assert mqtt is not None
    assert (mqtt.broker_port, mqtt.base_topic, mqtt.discovery_prefix, mqtt.client_id) == (
        1883,
        "ttlock-bridge",
        "homeassistant",
        "ttlock-bridge",
    )
    assert mqtt.commands_allowed("room-12")
    assert not mqtt.commands_allowed("main-entrance")


def test_tls_files_resolve_against_the_file_and_default_to_port_8883(tmp_path: Path) -> None:
    (tmp_path / "ca.pem").write_text("-", encoding="utf-8")
    text = '[mqtt]\nhost = "broker.local"\n[mqtt.tls]\nca_file = "ca.pem"\n'
    mqtt = load_config(write(tmp_path, text)).mqtt

    assert mqtt is not None
    assert mqtt.tls is not None
    assert mqtt.tls.ca_file == str(tmp_path / "ca.pem")
    assert mqtt.broker_port == 8883


def test_a_password_in_the_file_is_refused_without_repeating_it(tmp_path: Path) -> None:
    text = '[mqtt]\nhost = "broker.local"\nusername = "bridge"\npassword = "hunter2-secret"\n'

    problems = problems_of(write(tmp_path, text))

    problem = problems["mqtt.password"]
    assert "MQTT_PASSWORD" in problem.message
    assert not problem.has_value
    assert "hunter2-secret" not in str(problems)


def test_every_mistake_is_reported_at_once(tmp_path: Path) -> None:
    text = """
[mqtt]
host = "broker.local"
port = 70000
base_topic = "ttlock/bridge"
discovery_prefix = "home assistant"
[mqtt.tls]
ca_file = "missing.pem"
cert_file = "client.pem"
[mqtt.doors.room-99]
commands = true
"""
    problems = problems_of(write(tmp_path, text))

    assert {"mqtt.port", "mqtt.base_topic", "mqtt.discovery_prefix", "mqtt.tls"} <= set(problems)


def test_unknown_doors_and_missing_tls_files_are_named(tmp_path: Path) -> None:
    text = """
[mqtt]
host = "broker.local"
[mqtt.tls]
ca_file = "missing.pem"
[mqtt.doors.room-99]
commands = true
"""
    problems = problems_of(write(tmp_path, text))

    assert "unknown door 'room-99'" in problems["mqtt.doors.room-99"].message
    assert "file not found" in problems["mqtt.tls.ca_file"].message


def test_check_config_says_where_it_publishes_and_what_is_missing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    text = '[mqtt]\nhost = "broker.local"\nusername = "bridge"\n'
    text += "[mqtt.doors.room-12]\ncommands = true\n"
    monkeypatch.delenv("MQTT_PASSWORD", raising=False)

    result = CliRunner().invoke(app, ["check-config", "--config", str(write(tmp_path, text))])

    assert result.exit_code == 0
    output = " ".join(result.output.split())  # the console wraps lines
    assert "MQTT to broker.local:1883, commands on 1 door(s)" in output
    assert "MQTT_PASSWORD is empty" in output


@pytest.mark.parametrize(
    ("host", "advice"),
    [
        ("127.0.0.1:1883", 'put the port in `port`: host = "127.0.0.1" and port = 1883'),
        ("broker.local:8883", 'put the port in `port`: host = "broker.local" and port = 8883'),
        ("mqtt broker.local", "a host name has no spaces"),
        ("mqtt://broker.local:1883", 'no scheme, the host only: host = "broker.local"'),
        ("mqtts://broker.local", "(TLS: add [mqtt.tls])"),
        ("broker..local", "not a host name or IP address"),
        ("-broker", "not a host name or IP address"),
        ("", "at least 1 character"),
    ],
)
def test_a_host_is_a_name_or_an_address_and_nothing_else(
    tmp_path: Path, host: str, advice: str
) -> None:
    problems = problems_of(write(tmp_path, f'[mqtt]\nhost = "{host}"\n'))

    assert advice in problems["mqtt.host"].message


@pytest.mark.parametrize(
    "host", ["broker.local", "mosquitto", "core-mosquitto", "mqtt_1", "192.168.1.10", "fd00::10"]
)
def test_host_names_and_addresses_are_taken(tmp_path: Path, host: str) -> None:
    mqtt = load_config(write(tmp_path, f'[mqtt]\nhost = "{host}"\n')).mqtt

    assert mqtt is not None
    assert mqtt.host == host


def test_commands_and_port_take_toml_values_not_strings(tmp_path: Path) -> None:
    text = '[mqtt]\nhost = "broker.local"\nport = "1883"\n[mqtt.doors.room-12]\ncommands = "yes"\n'

    problems = problems_of(write(tmp_path, text))

    commands = problems["mqtt.doors.room-12.commands"].message
    assert commands == "input should be a valid boolean: true or false, without quotes"
    assert problems["mqtt.port"].message.endswith("integer: a whole number, without quotes")
