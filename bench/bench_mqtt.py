"""The MQTT channel: how soon a TTLock callback becomes a published door state, and how long
the discovery of a large property takes.

1. Callback to state: `ttlock-bridge serve` (child process) on the simulated hotel, publishing
   to a private mosquitto; a client subscribed to room-1's state topic. Each sample posts one
   callback (alternately an unlock and a lock record) and waits for the state that says so:
   from the POST leaving us to the state arriving (target: p50 < 20 ms).
2. Discovery of 200 doors: the same bridge with 200 more doors; from the first discovery
   message to the last, at start (target: < 2 s).
"""

from __future__ import annotations

import asyncio
import json
import shutil
import statistics
import tempfile
import time
from pathlib import Path

import aiomqtt
import httpx

from bench.support import bridge_process, free_port, simulator_process
from ttlock_bridge.service.demo import MOSQUITTO_PATHS, demo_config_text, private_mosquitto
from ttlock_bridge.simulator import default_scenario

ROOM_1 = 1_000_002
SAMPLES = 200
BIG = 200
UNLOCK, LOCK = 4, 11  # passcode unlock, app lock (reference §13.3)


def callback(lock_id: int, mac: str, record_id: int, record_type: int) -> dict[str, str]:
    now_ms = time.time_ns() // 1_000_000
    record = {
        "recordId": record_id,
        "lockId": lock_id,
        "lockMac": mac,
        "recordTypeFromLock": record_type,
        "recordType": record_type,
        "success": 1,
        "username": "Bench",
        "electricQuantity": 80,
        "serverDate": now_ms,
        "lockDate": now_ms,
    }
    return {
        "notifyType": "1",
        "lockId": str(lock_id),
        "lockMac": mac,
        "admin": "demo@example.com",
        "records": json.dumps([record]),
    }


async def callback_to_state_ms(bridge_url: str, broker_port: int, mac: str) -> list[float]:
    topic = "ttlock-bridge/door/room-1/state"
    samples = []
    async with (
        aiomqtt.Client("127.0.0.1", broker_port) as client,
        httpx.AsyncClient(base_url=bridge_url) as http,
    ):
        await client.subscribe(topic, qos=1)
        messages = client.messages
        for n in range(SAMPLES + 10):
            record_type, bolt = (UNLOCK, "unlocked") if n % 2 == 0 else (LOCK, "locked")
            started = time.perf_counter()
            response = await http.post(
                "/ttlock/callback", data=callback(ROOM_1, mac, 10_000 + n, record_type)
            )
            response.raise_for_status()
            while True:
                message = await asyncio.wait_for(anext(messages), 5)
                if json.loads(bytes(message.payload))["bolt"] == bolt:
                    break
            if n >= 10:  # the first ones warm the path up
                samples.append((time.perf_counter() - started) * 1000)
    return samples


async def discovery_span_s(broker_port: int, expected: int, start: asyncio.Event) -> float:
    """Seconds from the first to the `expected`-th discovery message after `start` is set."""
    async with aiomqtt.Client("127.0.0.1", broker_port) as client:
        await client.subscribe("homeassistant/+/+/+/config", qos=1)
        start.set()
        first, seen = 0.0, 0
        async for _message in client.messages:
            seen += 1
            if seen == 1:
                first = time.perf_counter()
            if seen == expected:
                return time.perf_counter() - first
    raise RuntimeError("the message stream ended")


def with_broker(simulator_url: str, port: int, broker_port: int, more_doors: int = 0) -> str:
    """The demo configuration on `port`, publishing to the private broker, with `more_doors`
    doors more."""
    text = demo_config_text(
        simulator_url, host="127.0.0.1", port=port, mqtt_broker=("127.0.0.1", broker_port)
    )
    return text + "".join(
        f"\n[doors.bench-{n}]\nlock_id = {2_000_000 + n}\n" for n in range(more_doors)
    )


async def discovery_of(simulator_url: str, broker_port: int) -> float:
    start = asyncio.Event()
    expected = 1 + 6 + 4 * (7 + BIG)  # bridge, rooms, 4 entities per door
    span = asyncio.create_task(discovery_span_s(broker_port, expected, start))
    await start.wait()
    port = free_port()
    big = with_broker(simulator_url, port, broker_port, BIG)
    with bridge_process(simulator_url, port, config_text=big):
        return await asyncio.wait_for(span, 60)


def main() -> None:
    if not any(shutil.which(name) for name in MOSQUITTO_PATHS):
        print("MQTT: skipped, mosquitto is not installed (make bench installs it)")
        return
    scenario = default_scenario()
    with (
        simulator_process(scenario) as simulator_url,
        tempfile.TemporaryDirectory() as directory,
        private_mosquitto(Path(directory)) as broker_port,
    ):
        mac = next(
            lock["lockMac"]
            for lock in httpx.get(f"{simulator_url}/_sim/state").json()["locks"]
            if lock["lockId"] == ROOM_1
        )
        port = free_port()
        demo = with_broker(simulator_url, port, broker_port)
        with bridge_process(simulator_url, port, config_text=demo) as (url, _):
            time.sleep(1.0)  # connected, first refresh done
            samples = asyncio.run(callback_to_state_ms(url, broker_port, mac))
        samples.sort()
        print("MQTT: callback received -> door state published (ms)")
        print(
            f"  p50 {statistics.median(samples):6.2f} ms   "
            f"p99 {samples[int(len(samples) * 0.99) - 1]:6.2f} ms   ({SAMPLES} callbacks)"
            "   (target: p50 < 20 ms)"
        )
    with (
        simulator_process(scenario) as simulator_url,
        tempfile.TemporaryDirectory() as directory,
        private_mosquitto(Path(directory)) as broker_port,
    ):
        span = asyncio.run(discovery_of(simulator_url, broker_port))
        print(f"MQTT: discovery of {BIG + 7} doors published in {span:.3f} s   (target: < 2 s)")


if __name__ == "__main__":
    main()
