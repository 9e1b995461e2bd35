"""`ttlock-bridge demo --mqtt`: the demo hotel published to a private mosquitto, which stops
with the demo."""

from __future__ import annotations

import asyncio
import re
import socket
import subprocess
import sys
from pathlib import Path

import aiomqtt
import pytest

from service.conftest import free_port

from .broker import MOSQUITTO

pytestmark = pytest.mark.skipif(MOSQUITTO is None, reason="mosquitto is not installed")


async def test_demo_with_mqtt_publishes_the_hotel_to_its_own_broker(tmp_path: Path) -> None:
    command = [sys.executable, "-m", "ttlock_bridge", "demo", "--mqtt"]
    command += ["--port", str(free_port()), "--data-dir", str(tmp_path)]
    process = subprocess.Popen(  # noqa: S603, ASYNC220 - our own CLI; it only starts here
        command, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True
    )
    try:
        assert process.stdout is not None
        port = None
        for line in process.stdout:
            if found := re.match(r"MQTT broker: +127\.0\.0\.1:(\d+)", line):
                port = int(found[1])
                break
        assert port is not None, "the demo printed no MQTT broker"
        async with aiomqtt.Client("127.0.0.1", port) as client:
            await client.subscribe("homeassistant/lock/ttlock-bridge/room-1_lock/config")
            message = await asyncio.wait_for(anext(client.messages), 20)
            assert b"ttlock-bridge/door/room-1/set" in bytes(message.payload)
    finally:
        process.terminate()
        process.wait(timeout=20)
    with pytest.raises(ConnectionRefusedError), socket.create_connection(("127.0.0.1", port)):
        pass  # the demo's broker is gone with it
