"""The `[mqtt]` section: which broker the bridge publishes to, under which topics, and which
doors accept commands.

Kept apart from the other sections so the MQTT channel's settings read as one unit. The broker
password is a secret: it comes from `MQTT_PASSWORD`, never from this file (a `password` key is
refused with that advice). Commands are off for every door unless `[mqtt.doors.<door>]
commands = true`: whoever may publish on the broker could otherwise open the door.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Collection
from pathlib import Path
from typing import Annotated

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    model_validator,
)

from ttlock_bridge.config.problems import Problem

PASSWORD_VARIABLE = "MQTT_PASSWORD"  # noqa: S105 - the name of the variable

TopicId = Annotated[
    str, StringConstraints(pattern=r"^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$", strict=True)
]
"""A topic level that Home Assistant accepts in a discovery topic: `[a-zA-Z0-9_-]`
(shared/reference/home-assistant-mqtt.md, "IDs in topics")."""


_HOST_LABEL = re.compile(r"^[A-Za-z0-9_](?:[A-Za-z0-9_-]{0,61}[A-Za-z0-9_])?$")
"""One label of a host name (RFC 1123, and `_` as Docker's service names have it)."""


def _is_host(text: str) -> bool:
    """`broker.local`, `mosquitto`, `192.168.1.10`, `fd00::10`: a host name or an IP address
    (IPv6 without brackets, as the MQTT client takes it), nothing else."""
    try:
        ipaddress.ip_address(text)
    except ValueError:
        name = text.removesuffix(".")
        return 0 < len(name) <= 253 and all(_HOST_LABEL.match(label) for label in name.split("."))
    return True


def check_host(host: str) -> str:
    """The broker's host as given, when it is a host name or an IP address; else a ValueError
    that says what to write: no port (it goes in `port`), no scheme, no spaces."""
    if _is_host(host):
        return host
    if "://" in host:
        scheme, _, rest = host.partition("://")
        name = rest.split("/")[0].rsplit(":", 1)[0] or "broker.local"
        tls = " (TLS: add [mqtt.tls])" if scheme.lower() in ("mqtts", "ssl", "tls") else ""
        raise ValueError(f'no scheme, the host only: host = "{name}"{tls}')
    name, colon, port = host.rpartition(":")
    if colon and port.isdigit() and _is_host(name):
        raise ValueError(f'put the port in `port`: host = "{name}" and port = {port}')
    if any(character.isspace() for character in host):
        raise ValueError("a host name has no spaces: the broker's name or IP address")
    raise ValueError(
        'not a host name or IP address: e.g. "broker.local", "mosquitto" or "192.168.1.10"'
    )


Host = Annotated[str, StringConstraints(strict=True, min_length=1), AfterValidator(check_host)]
"""The broker: a host name or an IP address, without port or scheme."""


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class MqttTls(_Section):
    """TLS to the broker: the CA that signed its certificate, and optionally a client
    certificate and key. Paths are relative to the configuration file."""

    ca_file: str | None = None
    """PEM file of the CA; none: the system's trusted CAs."""
    cert_file: str | None = None
    key_file: str | None = None

    @model_validator(mode="after")
    def _cert_and_key_together(self) -> MqttTls:
        if (self.cert_file is None) != (self.key_file is None):
            raise ValueError("a client certificate needs both cert_file and key_file")
        return self

    def files(self) -> dict[str, str]:
        """Each configured file by its key: `{"ca_file": "certs/ca.pem", ...}`."""
        return {key: value for key, value in self.model_dump().items() if value is not None}


class MqttDoor(_Section):
    """What MQTT may do with one door."""

    commands: bool = Field(default=False, strict=True)
    """Accept LOCK / UNLOCK on the door's command topic. Off unless set: anyone who may
    publish on the broker could open the door."""


class MqttSettings(_Section):
    """The broker, the topics and the doors that accept commands."""

    host: Host
    """A host name or an IP address; the port goes in `port`."""
    port: int | None = Field(default=None, ge=1, le=65535, strict=True)
    """Default 1883, or 8883 with TLS."""
    tls: MqttTls | None = None
    username: str | None = Field(default=None, min_length=1)
    """The password comes from `MQTT_PASSWORD`."""
    client_id: TopicId = "ttlock-bridge"
    base_topic: TopicId = "ttlock-bridge"
    """Every plain topic starts with it; it also names this bridge in discovery topics, so two
    bridges on one broker need two base topics."""
    discovery_prefix: TopicId = "homeassistant"
    """Home Assistant's `discovery_prefix` (its default is `homeassistant`)."""
    doors: dict[str, MqttDoor] = {}

    @property
    def broker_port(self) -> int:
        return self.port or (8883 if self.tls is not None else 1883)

    def commands_allowed(self, door: str) -> bool:
        settings = self.doors.get(door)
        return settings is not None and settings.commands


def mqtt_cross_check(mqtt: MqttSettings, doors: Collection[str], file: Path) -> list[Problem]:
    """The `[mqtt]` section names known doors and TLS files that exist (relative to `file`)."""
    problems = [
        Problem(file, f"mqtt.doors.{door}", f"unknown door '{door}': define [doors.{door}]", door)
        for door in mqtt.doors
        if door not in doors
    ]
    if mqtt.tls is not None:
        problems += [
            Problem(file, f"mqtt.tls.{key}", "file not found (relative to this file)", value)
            for key, value in mqtt.tls.files().items()
            if not (file.resolve().parent / value).is_file()
        ]
    return problems


def resolve_tls_paths(mqtt: MqttSettings, base: Path) -> MqttSettings:
    """The settings with TLS file paths made absolute against `base` (the file's directory)."""
    if mqtt.tls is None:
        return mqtt
    files = {key: str(base / value) for key, value in mqtt.tls.files().items()}
    return mqtt.model_copy(update={"tls": mqtt.tls.model_copy(update=files)})
