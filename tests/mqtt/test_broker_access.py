"""How the bridge reaches the broker: TLS with a CA of its own, and a refused login that
`/readyz` explains (the service runs on meanwhile)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from service.bridge import StartBridge
from ttlock_bridge.config.mqtt import MqttSettings, MqttTls

from .broker import BRIDGE_PASSWORD, BRIDGE_USER, running_mosquitto
from .test_states_and_commands import until


def mqtt_check(checks: list[dict[str, Any]]) -> dict[str, Any]:
    return next(check for check in checks if check["name"] == "channel:mqtt")


@pytest.mark.usefixtures("mosquitto")  # skips without mosquitto
async def test_tls_to_a_broker_with_its_own_ca(
    start_bridge: StartBridge, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("MQTT_PASSWORD", BRIDGE_PASSWORD)
    with running_mosquitto(tmp_path / "tls-broker", tls=True) as broker:
        settings = MqttSettings(
            host="127.0.0.1",
            port=broker.port,
            username=BRIDGE_USER,
            tls=MqttTls(ca_file=str(broker.ca_file)),
        )
        bridge = start_bridge(mqtt=settings)

        await until(lambda: mqtt_check(bridge.api.get("/readyz").json()["checks"])["ready"], 10)
        assert "connected" in str(mqtt_check(bridge.api.get("/readyz").json()["checks"]))


async def test_a_refused_login_is_explained_and_retried(
    start_bridge: StartBridge, mqtt_settings: MqttSettings, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("MQTT_PASSWORD", "not-the-password")

    bridge = start_bridge(mqtt=mqtt_settings)

    check = await until(
        lambda: (
            (c := mqtt_check(bridge.api.get("/readyz").json()["checks"]))["detail"].startswith(
                "cannot connect"
            )
            and c
        ),
        10,
    )
    assert not check["ready"]
    assert "check [mqtt] username and the MQTT_PASSWORD variable" in check["detail"]
    assert "not-the-password" not in str(check)
    assert bridge.api.get("/api/v1/locks/room-1").status_code == 200  # the bridge works on
