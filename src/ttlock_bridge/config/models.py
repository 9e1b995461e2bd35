"""The shape of `ttlock-bridge.toml` as pydantic models.

Every model forbids unknown keys so a typo (`chek_in`) is reported instead of silently ignored.
Field-level rules live here; rules that relate sections to each other (a room naming a door that
does not exist) are in `ttlock_bridge.config.checks`.
"""

from __future__ import annotations

import re
from datetime import time, timedelta
from pathlib import Path
from typing import Annotated, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StringConstraints,
    model_validator,
)

from ttlock_bridge.config.bookings import BookingSettings
from ttlock_bridge.config.durations import Duration, Period, at_least
from ttlock_bridge.config.knx import KnxSettings
from ttlock_bridge.config.mqtt import MqttSettings

_CLOCK = re.compile(r"(?P<hour>[01]\d|2[0-3]):(?P<minute>[0-5]\d)")


def _parse_clock(value: object) -> object:
    """`"15:00"` -> `time(15, 0)`; anything else is left for pydantic to reject."""
    if not isinstance(value, str):
        return value
    match = _CLOCK.fullmatch(value.strip())
    if match is None:
        raise ValueError('expected a 24-hour clock time HH:MM, e.g. "15:00"')
    return time(int(match["hour"]), int(match["minute"]))


MIN_KEYS = 3
"""A keypad needs this many distinct keys for a usable passcode."""


def _check_keypad(keys: str) -> str:
    """`"1234567"` -> the keys sorted; a keypad needs 3 distinct digit keys for a usable code."""
    if not (keys.isascii() and keys.isdigit()):
        raise ValueError('a keypad is the digits its keys carry, e.g. "1234567"')
    distinct = "".join(sorted(set(keys)))
    if len(distinct) < MIN_KEYS:
        raise ValueError("a keypad needs at least 3 different keys for a passcode to be usable")
    return distinct


def _check_zone(name: str) -> str:
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError(
            'unknown IANA time zone: use a name like "Europe/Athens" (see `tzselect`)'
        ) from None
    return name


ClockTime = Annotated[time, BeforeValidator(_parse_clock)]
Name = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$", strict=True)]
DigitCode = Annotated[str, StringConstraints(pattern=r"^\d{4,9}$", strict=True)]
ZoneName = Annotated[str, AfterValidator(_check_zone)]
Keypad = Annotated[str, StringConstraints(strict=True), AfterValidator(_check_keypad)]
ALL_KEYS = "0123456789"


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class PropertySettings(_Section):
    """The building: its name, the time zone every local time in this file is read in, and
    whether a code that cannot reach its lock in time falls back to an offline code."""

    name: str = Field(min_length=1)
    timezone: ZoneName
    offline_fallback: bool = False
    """An online code still not on its lock `offline_fallback_after` after the grant was
    made, for a stay that starts within `offline_fallback_window` (or has begun), is replaced
    on that door by an offline code (docs/grants.md "Two kinds of code")."""
    offline_fallback_after: Period = timedelta(minutes=10)
    offline_fallback_window: Period = timedelta(hours=6)

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)


class Defaults(_Section):
    """What a grant gets when the request leaves it out, and when nightly cleanup runs."""

    check_in: ClockTime = time(15, 0)
    check_out: ClockTime = time(11, 0)
    code_length: int = Field(default=6, ge=4, le=9, strict=True)
    cleanup_grace: Duration = timedelta(hours=24)
    cleanup_time: ClockTime = time(3, 30)
    deny_codes: frozenset[DigitCode] = frozenset()


DoorMode = Literal["online", "offline", "auto"]


class Door(_Section):
    """A lock as configured here; the table key is the door's friendly name."""

    lock_id: int = Field(gt=0, strict=True)
    keypad: Keypad = ALL_KEYS
    """The digits the door's keypad has (a cylinder keypad with keys 1-7: `"1234567"`)."""
    mode: DoorMode = "auto"
    """How codes reach the lock: `online` (the grant's code, written through the gateway),
    `offline` (a period code the cloud computes for this lock; no gateway needed), `auto`
    (online while the lock has a gateway, offline when it has none)."""


class Room(_Section):
    """A bookable unit: its own doors plus the shared doors its guests may open."""

    doors: tuple[Name, ...] = Field(min_length=1)
    shared_doors: tuple[Name, ...] = ()

    @property
    def all_doors(self) -> tuple[str, ...]:
        """Every door a guest of this room gets, own doors first, each once."""
        return tuple(dict.fromkeys((*self.doors, *self.shared_doors)))


class CloudSettings(_Section):
    """Where the TTLock cloud lives. Credentials never go here: they come from the environment."""

    region: Literal["eu", "global", "cn"] | None = None
    api_base: str | None = Field(default=None, pattern=r"^https?://\S+$")
    detail_refresh: Period = timedelta(hours=6)
    """How often lock details, the lock list and gateways are read again (quota is money)."""
    gateway_poll: Period = timedelta(minutes=15)
    """How often the gateway list is read to know which gateways are online."""
    clock_check: Period = timedelta(days=1)
    """How often each lock's clock is compared with TTLock's (one gateway call per lock)."""
    clock_tolerance: Annotated[Duration, at_least(timedelta(seconds=30))] = timedelta(minutes=2)
    """A lock clock further off than this is set to TTLock's time and reported. 30 s at least:
    reading a clock through a gateway takes seconds, so a smaller tolerance would set clocks
    that are right (one gateway call each, every check)."""
    monthly_budget: int = Field(default=20_000, gt=0, strict=True)
    """TTLock calls this bridge may spend per billing month (see docs/operations.md)."""

    @model_validator(mode="after")
    def _one_way_to_say_where(self) -> CloudSettings:
        if self.region is not None and self.api_base is not None:
            raise ValueError("set either region or api_base, not both")
        return self

    @property
    def region_or_url(self) -> str:
        """What `ttlock_bridge.cloud.regions.api_base` turns into a host (EU by default)."""
        return self.api_base or self.region or "eu"


class StoreSettings(_Section):
    """The database URL; None means SQLite in the data directory."""

    url: str | None = None


class ServerSettings(_Section):
    """Where `ttlock-bridge serve` listens."""

    host: str = "127.0.0.1"
    port: int = Field(default=8080, ge=1, le=65535, strict=True)
    compat_get_unlock: bool = False
    """Also answer `GET /{lockId}/unlock` (the Docker bridge's unsafe form); POST always works."""
    callback_secret: str | None = Field(default=None, pattern=r"^[A-Za-z0-9_-]{16,128}$")
    """Extra path segment: TTLock then posts to `/ttlock/callback/<secret>` only."""


class ConsoleSettings(_Section):
    """The front-desk console at `/` (operator accounts: `ttlock-bridge users`)."""

    enabled: bool = True
    unlock: bool = False
    """Show an unlock button (behind a confirmation) on the locks page for desk and admin."""
    session_lifetime: Period = timedelta(hours=12)
    """How long a sign-in lasts; then the operator signs in again."""


class ConfigFile(_Section):
    """The raw file, exactly as written (relative paths not yet resolved)."""

    data_dir: str = "data"
    property: PropertySettings
    defaults: Defaults = Defaults()
    doors: dict[Name, Door] = Field(min_length=1)
    rooms: dict[Name, Room] = {}
    cloud: CloudSettings = CloudSettings()
    store: StoreSettings = StoreSettings()
    server: ServerSettings = ServerSettings()
    console: ConsoleSettings = ConsoleSettings()
    knx: KnxSettings | None = None
    mqtt: MqttSettings | None = None
    bookings: dict[Name, BookingSettings] = {}


class Config(_Section):
    """A validated configuration with paths resolved against the file's directory."""

    source: Path
    data_dir: Path
    store_url: str
    property: PropertySettings
    defaults: Defaults
    doors: dict[str, Door]
    rooms: dict[str, Room]
    cloud: CloudSettings
    server: ServerSettings
    console: ConsoleSettings = ConsoleSettings()
    knx: KnxSettings | None = None
    mqtt: MqttSettings | None = None
    bookings: dict[str, BookingSettings] = {}
    """Room -> its booking calendars, `feeds` resolved (file, `feeds_env`, `feeds_file`)."""
