"""The scenario file: which apps, users, gateways and locks the simulated cloud starts with.

A scenario is plain data (pydantic models); `state.World` turns it into a running world.
The built-in default is a small hotel with fixed, public demo credentials.
"""

import json
import tomllib
from datetime import datetime
from pathlib import Path
from typing import Any, Literal

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
    reuse_tokens: bool = False
    """A password grant for a user and app that still hold a valid access token answers that
    same token (access and refresh) with the seconds it has left as `expires_in`, instead of
    minting a new one: real captures show fresh logins with `expires_in` below 7776000
    (reference §3.1, §19 item 6). False: every password grant mints a new token."""


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


Payloads = Literal["current", "older"]
"""The shape of what the cloud sends about a lock (`LockConfig.payloads`)."""

OLDER_BATTERY_READ_DAYS = 6.0
"""How many days before the start an "older" lock's battery was last read, by default."""
CURRENT_BATTERY_READ_DAYS = 1.0
"""How many days before the start a "current" lock's battery was last read, by default."""


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
    """The lock relocks by itself this long after an unlock (0 or less: auto-lock off)."""
    admin: str | None = None
    """Username of the lock's top administrator; None = the first user."""
    payloads: Payloads = "current"
    """How the cloud's answers about this lock are shaped.

    "current": every field reference §5.2, §5.4, §13.1 and §16 list, as the simulator always
    sent. "older": as real captures of older locks in public projects show them —

    - lock/detail has no `autoLockTime` (the lock still relocks after `auto_lock_seconds`; the
      cloud just does not say so) and 0 (unknown) for `lockSound`, `privacyLock`,
      `tamperAlert` and `resetButton` (§5.2: 0 unknown, 1 on, 2 off);
    - getPassageModeConfig, while passage mode was never configured on the lock, answers
      `startDate` and `endDate` null and no `isAllDay` nor `weekDays` (§5.4);
    - callback records carry no `recordId` (§16; `lockDate` is whole seconds of the lock's
      clock and `serverDate` the cloud's milliseconds, as for every lock);
    - lockRecord/list items carry no `recordId` nor `recordTypeFromLock`, and `username` is
      null except on passcode records (§13.1, the 2020 fixtures);
    - the battery level in lock/list is `OLDER_BATTERY_READ_DAYS` old at start
      (`electricQuantityUpdateDate`, §5.1), unless `battery_read_days_ago` says otherwise.
    """
    battery_read_days_ago: float | None = Field(default=None, ge=0)
    """Days before the start that the battery level was last read (lock/list's
    `electricQuantityUpdateDate`, §5.1); None = `CURRENT_BATTERY_READ_DAYS` for a "current"
    lock, `OLDER_BATTERY_READ_DAYS` for an "older" one."""
    clock_drift_ms: int = Field(default=0, ge=-(10**11), le=10**11)
    """How far the lock's own clock is ahead of the cloud's at start (negative: behind), in
    ms: lock/queryDate answers it and every record's `lockDate` follows it (§6, §16, §17);
    the control API changes it, lock/updateDate clears it."""
    passcode_key_data: bool = True
    """Whether the cloud holds the key data of the lock's random (offline) passcodes, shared
    when the lock was initialised. False: keyboardPwd/get answers -1007 for this lock ("no
    passcode data", reference §4.4, §8.1), as for a lock never initialised for passcodes; custom
    passcodes (keyboardPwd/add) work as usual."""

    @property
    def battery_read_ms_ago(self) -> int:
        """How long before the start the battery was last read, in ms (see above)."""
        days = self.battery_read_days_ago
        if days is None:
            older = self.payloads == "older"
            days = OLDER_BATTERY_READ_DAYS if older else CURRENT_BATTERY_READ_DAYS
        return int(days * 24 * 3_600_000)


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
