"""`serve` runs the KNX channel when the configuration has a `[knx]` section, and not otherwise."""

from pathlib import Path

from conftest import RunningSimulator
from ttlock_bridge.cloud import Credentials
from ttlock_bridge.service.runtime import Runtime
from ttlock_bridge.simulator.scenario import (
    DEMO_CLIENT_ID,
    DEMO_CLIENT_SECRET,
    DEMO_PASSWORD,
    DEMO_USERNAME,
)

from .site import write_config

CREDENTIALS = Credentials.with_password(
    DEMO_CLIENT_ID, DEMO_CLIENT_SECRET, DEMO_USERNAME, DEMO_PASSWORD
)


async def test_a_knx_section_adds_the_knx_channel_to_the_service(
    simulator: RunningSimulator, tmp_path: Path
) -> None:
    config = write_config(tmp_path, simulator.base_url, 'gateway_ip = "127.0.0.1"')

    runtime = Runtime.build(config, CREDENTIALS, api_base=simulator.base_url, api_token="t" * 32)
    try:
        assert [channel.name for channel in runtime.channels] == ["knx", "console"]
        knx = runtime.channels[0]
        assert not knx.status().ready
    finally:
        await runtime.cloud.aclose()
        runtime.store.close()
