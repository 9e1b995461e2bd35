"""The scenario file: which apps, users, gateways and locks the simulated cloud starts with.

A scenario is plain data (pydantic models); `state.World` turns it into a running world.
The built-in default is a small hotel with fixed, public demo credentials.
"""

import json
import tomllib
from datetime import datetime
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from ttlock_bridge.simulator.errors import ScenarioError

DEMO_CLIENT_ID = "demo-client-id"
DEMO_CLIENT_SECRET = "demo-client-secret"  # noqa: S105 - public demo value, documented
DEMO_USERNAME = "demo@example.com"
DEMO_PASSWORD = "demo-password"  # noqa: S105 - public demo value, documented


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class ClockConfig(_Strict):
    start: datetime | None = None
    """Simulated time at start-up; None = the real time."""


class Settings(_Strict):
    latency_ms: int = Field(default=0, ge=0)
    transient_error_rate: float = Field(default=0.0, ge=0.0, le=1.0)
    token_expires_in: int = Field(default=7_776_000, gt=0)
    busy_window_ms: int = Field(default=0, ge=0)
    """Real time a lock stays busy (-3003) after a remote command finished."""


class AppConfig(_Strict):
    client_id: str
    client_secret: str
    callback_url: str | None = None
    user_prefix: str = "bridge"


class UserConfig(_Strict):
    username: str
    password: str
    """Plain text; the API expects its MD5."""


class GatewayConfig(_Strict):
    id: int
    mac: str
    online: bool = True
    version: int = 2
    admin: str | None = None
    """Username of the gateway's owner; None = the first user."""


class LockConfig(_Strict):
    id: int
    alias: str
    mac: str
    model: str = "S202F"
    gateway: int | None = None
    remote_unlock: bool = True
    battery: int = Field(default=100, ge=0, le=100)
    timezone_offset_ms: int = 0
    auto_lock_seconds: int = 5
    admin: str | None = None
    """Username of the lock's top administrator; None = the first user."""


class Scenario(_Strict):
    clock: ClockConfig = ClockConfig()
    settings: Settings = Settings()
    apps: list[AppConfig] = Field(min_length=1)
    users: list[UserConfig] = Field(min_length=1)
    gateways: list[GatewayConfig] = []
    locks: list[LockConfig] = []

    @model_validator(mode="after")
    def _references_resolve(self) -> "Scenario":
        usernames = {user.username for user in self.users}
        gateway_ids = {gateway.id for gateway in self.gateways}
        owners = [(g.id, g.admin) for g in self.gateways] + [(k.id, k.admin) for k in self.locks]
        for owned_id, admin in owners:
            if admin is not None and admin not in usernames:
                raise ValueError(f"id {owned_id}: admin {admin!r} is not a user")
        for lock in self.locks:
            if lock.gateway is not None and lock.gateway not in gateway_ids:
                raise ValueError(f"lock {lock.id}: gateway {lock.gateway} is not defined")
        for kind, ids in (
            ("lock", [lock.id for lock in self.locks]),
            ("gateway", [gateway.id for gateway in self.gateways]),
            ("app", [app.client_id for app in self.apps]),
            ("user", [user.username for user in self.users]),
        ):
            if len(ids) != len(set(ids)):
                raise ValueError(f"duplicate {kind} ids: {ids}")
        return self


def default_scenario() -> Scenario:
    """A small hotel: the main entrance and six rooms behind one online gateway."""
    rooms = [
        LockConfig(
            id=1_000_001 + number,
            alias=f"Room {number}",
            mac=f"ED:AE:90:63:{0x10 + number:02X}:{0x01 + number:02X}",
            gateway=500_001,
            battery=90 - number,
            timezone_offset_ms=3_600_000,
        )
        for number in range(1, 7)
    ]
    return Scenario(
        apps=[AppConfig(client_id=DEMO_CLIENT_ID, client_secret=DEMO_CLIENT_SECRET)],
        users=[UserConfig(username=DEMO_USERNAME, password=DEMO_PASSWORD)],
        gateways=[GatewayConfig(id=500_001, mac="DC:A4:53:85:39:74")],
        locks=[
            LockConfig(
                id=1_000_001,
                alias="Main entrance",
                mac="ED:AE:90:63:CE:01",
                gateway=500_001,
                battery=87,
                timezone_offset_ms=3_600_000,
            ),
            *rooms,
        ],
    )


def load_scenario(path: str | Path) -> Scenario:
    """Read a scenario from a `.toml` or `.json` file; errors name the file and the bad key."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as error:
        raise ScenarioError(f"{path}: cannot read scenario file ({error})") from error
    raw: Any
    try:
        if path.suffix == ".toml":
            raw = tomllib.loads(text)
        elif path.suffix == ".json":
            raw = json.loads(text)
        else:
            raise ScenarioError(f"{path}: scenario files must end in .toml or .json")
    except (tomllib.TOMLDecodeError, json.JSONDecodeError) as error:
        raise ScenarioError(f"{path}: not valid {path.suffix[1:].upper()}: {error}") from error
    try:
        return Scenario.model_validate(raw)
    except ValidationError as error:
        problems = "; ".join(
            f"{'.'.join(str(part) for part in issue['loc']) or '<top>'}: {issue['msg']}"
            for issue in error.errors()
        )
        raise ScenarioError(f"{path}: invalid scenario: {problems}") from error
