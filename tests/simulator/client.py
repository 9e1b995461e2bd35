"""A tiny TTLock caller for the simulator's own tests (deliberately not `ttlock_bridge.cloud`)."""

import hashlib
import time
from typing import Any

import httpx

from conftest import RunningSimulator
from ttlock_bridge.simulator.scenario import (
    DEMO_CLIENT_ID,
    DEMO_CLIENT_SECRET,
    DEMO_PASSWORD,
    DEMO_USERNAME,
)

MAIN_ENTRANCE = 1_000_001
ROOM_1 = 1_000_002
GATEWAY = 500_001


def md5(text: str) -> str:
    return hashlib.md5(text.encode()).hexdigest()  # noqa: S324 - the protocol's hash


def now_ms() -> int:
    return int(time.time() * 1000)


def login(
    base_url: str,
    username: str = DEMO_USERNAME,
    password: str = DEMO_PASSWORD,
    client_id: str = DEMO_CLIENT_ID,
    client_secret: str = DEMO_CLIENT_SECRET,
) -> dict[str, Any]:
    """Password grant; returns the whole token response."""
    response = httpx.post(
        f"{base_url}/oauth2/token",
        data={
            "clientId": client_id,
            "clientSecret": client_secret,
            "username": username,
            "password": md5(password),
        },
    )
    body: dict[str, Any] = response.json()
    return body


class Caller:
    """Signs every /v3 call with clientId, accessToken and a fresh date, like a real client."""

    def __init__(self, simulator: RunningSimulator, access_token: str | None = None) -> None:
        self.base_url = simulator.base_url
        self.http = simulator.http
        self.access_token = access_token or login(self.base_url)["access_token"]
        self.client_id = DEMO_CLIENT_ID
        self.date_offset_ms = 0

    def signed(self, params: dict[str, Any]) -> dict[str, str]:
        return {
            "clientId": self.client_id,
            "accessToken": self.access_token,
            "date": str(now_ms() + self.date_offset_ms),
            **{key: str(value) for key, value in params.items()},
        }

    def post(self, path: str, **params: Any) -> Any:
        return self.http.post(self.base_url + path, data=self.signed(params), timeout=30).json()

    def get(self, path: str, **params: Any) -> Any:
        return self.http.get(self.base_url + path, params=self.signed(params), timeout=30).json()
