"""Typed views of what TTLock answers, tolerant of what the real cloud actually sends.

Every field is optional unless an answer is useless without it; numbers sent as strings are
accepted, unknown fields are ignored, and the two flag conventions TTLock mixes are mapped to
`bool | None`. Timestamps stay UTC epoch milliseconds, exactly as the cloud speaks them; turning
them into local times belongs to the layer that knows the property's time zone.
"""

from enum import IntEnum
from typing import Annotated, Any

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field
from pydantic.alias_generators import to_camel


def _on_off(value: Any) -> bool | None:
    """TTLock settings use 1 = on and 2 = off; 0 (or anything else) means unknown."""
    try:
        number = int(value)
    except (TypeError, ValueError):
        return None
    return {1: True, 2: False}.get(number)


def _as_text(value: Any) -> Any:
    """Passcodes, card and fingerprint numbers are digit strings (leading zeros matter)."""
    return str(value) if isinstance(value, int) else value


OnOff = Annotated[bool | None, BeforeValidator(_on_off)]
"""A flag where TTLock sends 1 for on, 2 for off and 0 for unknown."""

Digits = Annotated[str, BeforeValidator(_as_text)]


def mask_code(code: str) -> str:
    """A passcode as it may appear in logs: the last two digits, the rest hidden."""
    return "*" * max(len(code) - 2, 2) + code[-2:] if len(code) > 2 else "**"


def shown_code(code: str, *, reveal: bool) -> str:
    """A passcode as an answer shows it: in full where the caller asked for it, else masked
    (`mask_code`). No code ("": an offline code not issued yet) stays "": nothing to hide."""
    return code if reveal or not code else mask_code(code)


class CloudModel(BaseModel):
    """Base for TTLock answers: camelCase on the wire, snake_case in Python, extras ignored."""

    model_config = ConfigDict(
        alias_generator=to_camel, populate_by_name=True, extra="ignore", frozen=True
    )


class TokenGrant(BaseModel):
    """The answer of /oauth2/token (both grants). The refresh grant carries no `uid`."""

    model_config = ConfigDict(extra="ignore", frozen=True)

    access_token: str = Field(repr=False)
    refresh_token: str = Field(repr=False)
    expires_in: int
    uid: int | None = None
    scope: str | None = None


class RegisteredUser(CloudModel):
    username: str


class PageInfo(CloudModel):
    """The paging fields of a TTLock list (`pageNo` counts from 1; an empty list has 0 pages)."""

    page_no: int = 1
    pages: int = 0
    total: int = 0


class LockSummary(CloudModel):
    """A lock as /v3/lock/list describes it."""

    lock_id: int
    lock_name: str = ""
    lock_alias: str = ""
    lock_mac: str = ""
    electric_quantity: int | None = None
    electric_quantity_update_date: int | None = None  # UTC epoch ms of the battery reading
    feature_value: str | None = None
    has_gateway: bool | None = None
    group_id: int | None = None
    group_name: str | None = None
    passage_mode: OnOff = None
    timezone_raw_offset: int | None = None
    date: int | None = None

    @property
    def display_name(self) -> str:
        """The name people gave the lock, falling back to its Bluetooth name."""
        return self.lock_alias or self.lock_name or str(self.lock_id)

    def supports(self, feature_bit: int) -> bool:
        """Whether the `featureValue` bitmask (reference §15) has this bit set."""
        if not self.feature_value:
            return False
        try:
            return bool(int(self.feature_value, 16) >> feature_bit & 1)
        except ValueError:
            return False


class LockDetail(LockSummary):
    """A lock as /v3/lock/detail describes it (settings may be missing when never configured)."""

    no_key_pwd: Digits | None = Field(default=None, repr=False)
    model_num: str | None = None
    hardware_revision: str | None = None
    firmware_revision: str | None = None
    auto_lock_time: int | None = None
    lock_sound: OnOff = None
    sound_volume: int | None = None
    privacy_lock: OnOff = None
    tamper_alert: OnOff = None
    reset_button: OnOff = None
    passage_mode_auto_unlock: OnOff = None
    is_frozen: OnOff = None


class OpenState(IntEnum):
    LOCKED = 0
    UNLOCKED = 1
    UNKNOWN = 2


class OpenStateAnswer(CloudModel):
    state: OpenState = OpenState.UNKNOWN


class BatteryAnswer(CloudModel):
    electric_quantity: int


class LockClockAnswer(CloudModel):
    date: int


class PassageModeConfig(CloudModel):
    """The legacy flat passage-mode configuration; minutes of the day in the lock's local time."""

    passage_mode: OnOff = None
    start_date: int | None = None
    end_date: int | None = None
    is_all_day: OnOff = None
    week_days: list[int] | str | None = None
    auto_unlock: OnOff = None


class PasscodeType(IntEnum):
    """keyboardPwdType: 1-4 and the cyclic 5-14 are random codes, 2 and 3 also custom ones."""

    ONE_TIME = 1
    PERMANENT = 2
    PERIOD = 3
    DELETE = 4
    WEEKEND = 5
    DAILY = 6
    WORKDAY = 7
    MONDAY = 8
    TUESDAY = 9
    WEDNESDAY = 10
    THURSDAY = 11
    FRIDAY = 12
    SATURDAY = 13
    SUNDAY = 14


class Passcode(CloudModel):
    """A passcode as /v3/lock/listKeyboardPwd lists it. `keyboard_pwd` is the code itself."""

    keyboard_pwd_id: int
    lock_id: int | None = None
    keyboard_pwd: Digits = Field(default="", repr=False)
    keyboard_pwd_name: str | None = None
    keyboard_pwd_type: int | None = None
    start_date: int | None = None
    end_date: int | None = None
    send_date: int | None = None
    is_custom: bool | None = None
    sender_username: str | None = None
    status: int | None = None

    @property
    def masked_code(self) -> str:
        return mask_code(self.keyboard_pwd)


class IssuedPasscode(CloudModel):
    """The answer of /v3/keyboardPwd/get: a random passcode and its id."""

    keyboard_pwd_id: int
    keyboard_pwd: Digits = Field(repr=False)


class AddedPasscode(CloudModel):
    keyboard_pwd_id: int


class LockRecord(CloudModel):
    """One event of /v3/lockRecord/list. `keyboard_pwd` holds the code typed (or card number)."""

    record_id: int | None = None
    lock_id: int | None = None
    record_type_from_lock: int | None = None
    record_type: int | None = None
    success: bool | None = None
    username: str | None = None
    keyboard_pwd: Digits | None = Field(default=None, repr=False)
    lock_date: int | None = None
    server_date: int | None = None


class Gateway(CloudModel):
    """A gateway as /v3/gateway/list describes it."""

    gateway_id: int
    gateway_mac: str = ""
    gateway_name: str = ""
    gateway_version: int | None = None
    network_name: str | None = None
    lock_num: int | None = None
    is_online: bool | None = None


class LockGateway(CloudModel):
    """A gateway that can reach a lock, from /v3/gateway/listByLock."""

    gateway_id: int
    gateway_mac: str = ""
    gateway_name: str = ""
    rssi: int | None = None
    rssi_update_date: int | None = None


class IdentityCard(CloudModel):
    card_id: int
    lock_id: int | None = None
    card_number: Digits = Field(default="", repr=False)
    card_name: str | None = None
    card_type: int | None = None
    start_date: int | None = None
    end_date: int | None = None
    create_date: int | None = None
    sender_username: str | None = None


class Fingerprint(CloudModel):
    fingerprint_id: int
    lock_id: int | None = None
    fingerprint_number: Digits = Field(default="", repr=False)
    fingerprint_name: str | None = None
    fingerprint_type: int | None = None
    start_date: int | None = None
    end_date: int | None = None
    create_date: int | None = None
    sender_username: str | None = None
