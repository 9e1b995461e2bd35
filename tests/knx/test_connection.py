"""How `[knx]` becomes an xknx connection, and what `/readyz` hears while there is no bus."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from xknx.io import ConnectionType

from conftest import StartSimulator
from ttlock_bridge.channels.knx import KnxSettings, KnxSetupError
from ttlock_bridge.channels.knx.bus import connection_config

from .knxd import free_udp_port
from .site import running_channel, tunnelling, write_config


def settings(**keys: object) -> KnxSettings:
    return KnxSettings.model_validate({"gateway_ip": "192.0.2.10", **keys})


@pytest.mark.parametrize(
    ("keys", "kind"),
    [
        ({}, ConnectionType.TUNNELING),
        ({"connection": "tunneling_tcp"}, ConnectionType.TUNNELING_TCP),
        ({"connection": "routing"}, ConnectionType.ROUTING),
        (
            {"connection": "tunneling_tcp", "secure": {"keyring": "site.knxkeys", "user_id": 4}},
            ConnectionType.TUNNELING_TCP_SECURE,
        ),
        (
            {"connection": "routing", "secure": {"keyring": "site.knxkeys"}},
            ConnectionType.ROUTING_SECURE,
        ),
    ],
)
def test_connection_types(keys: dict[str, object], kind: ConnectionType) -> None:
    config = connection_config(settings(**keys), {"KNX_KEYRING_PASSWORD": "keyring-pass"})
    assert config.connection_type is kind
    if "secure" in keys:
        assert config.secure_config is not None
        assert config.secure_config.knxkeys_password == "keyring-pass"
        assert str(config.secure_config.knxkeys_file_path) == "site.knxkeys"


def test_secure_without_the_keyring_password_is_a_setup_error() -> None:
    secure = settings(connection="routing", secure={"keyring": "site.knxkeys"})
    with pytest.raises(KnxSetupError, match="KNX_KEYRING_PASSWORD"):
        connection_config(secure, {})


async def test_no_gateway_yet_is_reported_and_retried(
    tmp_path: Path, start_simulator: StartSimulator
) -> None:
    simulator = start_simulator()
    nobody_listens = free_udp_port()
    config = write_config(tmp_path, simulator.base_url, tunnelling(nobody_listens))
    async with running_channel(config, simulator.base_url, connected=False) as running:
        for _ in range(600):  # the first attempt fails at once: nothing answers on loopback
            if "cannot connect" in running.channel.status().detail:
                break
            await asyncio.sleep(0.05)
        status = running.channel.status()

    assert not status.ready
    assert status.detail.startswith(f"cannot connect (tunneling to 127.0.0.1:{nobody_listens})")
    assert status.detail.endswith("retrying")
