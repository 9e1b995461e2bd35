"""The real Home Assistant (2024.3.3, in `.venv-ha`, made by `make home-assistant`) for tests:
a configuration directory built from docs/home-assistant.md's YAML and the MQTT integration on
the test broker, started on a free loopback port, a user from `hass --script auth` and a token
from its login flow."""

from __future__ import annotations

import json
import re
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

REPO = Path(__file__).resolve().parents[2]
HASS = REPO / ".venv-ha" / "bin" / "hass"
DOCS = REPO / "docs" / "home-assistant.md"
START_TIMEOUT_S = 900.0
"""The first start installs the requirements of Home Assistant's core integrations into
.venv-ha (minutes); later starts take seconds."""
USER, PASSWORD = "tester", "tester-password-0123"
DOCS_BRIDGE_URL = "http://192.168.1.20:8080"
ONBOARDED = {
    "version": 4,
    "key": "onboarding",
    "data": {"done": ["user", "core_config", "analytics", "integration"]},
}
"""Onboarding done (`.storage/onboarding`, 2024.3's `onboarding` STORAGE_VERSION 4 and STEPS):
the login flow is refused until it is."""

HEADER = """\
homeassistant:
  name: Test
  latitude: 52.52
  longitude: 13.40
  elevation: 0
  unit_system: metric
  time_zone: Europe/Berlin
  country: DE
http:
  server_host: 127.0.0.1
  server_port: {port}
api:
logger:
  default: warning
"""


def yaml_blocks(markdown: str) -> list[str]:
    return re.findall(r"```yaml\n(.*?)```", markdown, flags=re.DOTALL)


def configuration_from_docs(bridge_url: str, token: str) -> tuple[str, str]:
    """(configuration.yaml body, secrets.yaml) from the docs' YAML, pointed at `bridge_url`."""
    secrets, config = "", ""
    for block in yaml_blocks(DOCS.read_text(encoding="utf-8")):
        text = block.replace(DOCS_BRIDGE_URL, bridge_url)
        if text.startswith("# secrets.yaml"):
            secrets = re.sub(r'"Bearer [^"]*"', f'"Bearer {token}"', text)
        else:
            config += text
    return config, secrets


def mqtt_entry(port: int, username: str, password: str) -> dict[str, Any]:
    """`.storage/core.config_entries` with the MQTT integration on 127.0.0.1:`port` (what the
    UI's Add integration -> MQTT writes)."""
    entry = {
        "entry_id": "0123456789abcdef0123456789abcdef",
        "version": 1,
        "minor_version": 1,
        "domain": "mqtt",
        "title": "127.0.0.1",
        "data": {
            "broker": "127.0.0.1",
            "port": port,
            "username": username,
            "password": password,
            "discovery": True,
            "discovery_prefix": "homeassistant",
        },
        "options": {},
        "pref_disable_new_entities": False,
        "pref_disable_polling": False,
        "source": "user",
        "unique_id": None,
        "disabled_by": None,
    }
    entries = {"entries": [entry]}
    return {"version": 1, "minor_version": 1, "key": "core.config_entries", "data": entries}


@dataclass
class RunningHass:
    url: str
    log: Path
    token: str = ""
    http: httpx.Client = field(default_factory=lambda: httpx.Client(timeout=30))

    def states(self) -> dict[str, dict[str, Any]]:
        response = self.http.get(f"{self.url}/api/states", headers=self._auth())
        response.raise_for_status()
        return {state["entity_id"]: state for state in response.json()}

    def call(self, domain: str, service: str, data: dict[str, Any]) -> httpx.Response:
        return self.http.post(
            f"{self.url}/api/services/{domain}/{service}", headers=self._auth(), json=data
        )

    def log_in(self) -> None:
        """A token through the login flow, as the frontend gets one."""
        client_id = f"{self.url}/"
        flow = self.http.post(
            f"{self.url}/auth/login_flow",
            json={
                "client_id": client_id,
                "handler": ["homeassistant", None],
                "redirect_uri": client_id,
            },
        ).json()
        done = self.http.post(
            f"{self.url}/auth/login_flow/{flow['flow_id']}",
            json={"client_id": client_id, "username": USER, "password": PASSWORD},
        ).json()
        assert done["type"] == "create_entry", done
        token = self.http.post(
            f"{self.url}/auth/token",
            data={
                "grant_type": "authorization_code",
                "code": done["result"],
                "client_id": client_id,
            },
        ).json()
        self.token = token["access_token"]

    def _auth(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}


@contextmanager
def running_hass(
    directory: Path, port: int, *, configuration: str, secrets: str, mqtt: dict[str, Any]
) -> Iterator[RunningHass]:
    directory.mkdir(parents=True, exist_ok=True)
    (directory / "configuration.yaml").write_text(
        HEADER.format(port=port) + configuration, encoding="utf-8"
    )
    (directory / "secrets.yaml").write_text(secrets, encoding="utf-8")
    storage = directory / ".storage"
    storage.mkdir(exist_ok=True)
    (storage / "core.config_entries").write_text(json.dumps(mqtt), encoding="utf-8")
    (storage / "onboarding").write_text(json.dumps(ONBOARDED), encoding="utf-8")
    subprocess.run(  # noqa: S603
        [str(HASS), "--script", "auth", "-c", str(directory), "add", USER, PASSWORD],
        check=True,
        capture_output=True,
        timeout=120,
    )
    log = directory / "hass.out"
    with log.open("wb") as output:
        process = subprocess.Popen(  # noqa: S603
            [str(HASS), "-c", str(directory), "--log-no-color"],
            stdout=output,
            stderr=subprocess.STDOUT,
        )
    hass = RunningHass(f"http://127.0.0.1:{port}", log)
    try:
        deadline = time.monotonic() + START_TIMEOUT_S
        while True:
            assert process.poll() is None, f"hass exited: {log.read_text(errors='replace')[-3000:]}"
            try:
                if hass.http.get(f"{hass.url}/auth/providers").status_code == 200:
                    break
            except httpx.TransportError:
                pass
            assert time.monotonic() < deadline, "Home Assistant did not start"
            time.sleep(0.5)
        hass.log_in()
        yield hass
    finally:
        hass.http.close()
        process.terminate()
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
