"""Reading TTLock's "Lock Records Notify" callback (reference §16). Pure: form in, records out.

TTLock posts a form with `notifyType`, `lockId`, `lockMac`, `admin` and `records`, a JSON array
serialised to a string. Only notifyType 1 carries lock records; other kinds (7, a standalone
door sensor) are read as "nothing for us".
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from ttlock_bridge.cloud import mask_code

LOCK_RECORDS = "1"


class UnreadableCallback(ValueError):
    """The body is not a TTLock callback; the message says which part is wrong."""


@dataclass(frozen=True, slots=True)
class CallbackRecord:
    """One lock record of a callback. `masked_code` hides the passcode or card number typed."""

    lock_id: int
    lock_mac: str | None
    record_type: int
    record_type_from_lock: int | None
    success: bool
    username: str | None
    masked_code: str | None
    lock_date_ms: int
    server_date_ms: int | None
    battery: int | None

    @property
    def dedupe_key(self) -> str:
        """Same record, same key, whether it arrives twice by callback or later by polling.

        The lock's clock has whole seconds, so two attempts in one second differ only by who
        and which code: the masked code (never the full one: the key is stored) and the name.
        """
        parts = (
            self.lock_id,
            self.lock_date_ms,
            self.record_type,
            self.record_type_from_lock,
            self.masked_code,
            self.username,
        )
        return ":".join("" if part is None else str(part) for part in parts)[:200]


def read_callback(form: Mapping[str, str]) -> list[CallbackRecord]:
    """The lock records of a callback form (empty for notify types that carry none)."""
    notify_type = form.get("notifyType")
    if notify_type is None:
        raise UnreadableCallback("notifyType is missing: this is not a TTLock callback")
    if notify_type.strip() != LOCK_RECORDS:
        return []
    form_lock_id = _integer(form.get("lockId"), "lockId")
    form_mac = form.get("lockMac") or None
    try:
        items = json.loads(form.get("records") or "")
    except ValueError:
        raise UnreadableCallback("records is not a JSON array") from None
    if not isinstance(items, list) or not all(isinstance(item, dict) for item in items):
        raise UnreadableCallback("records is not a JSON array of objects")
    return [_record(item, form_lock_id, form_mac) for item in items]


def _record(item: dict[str, Any], form_lock_id: int, form_mac: str | None) -> CallbackRecord:
    code = item.get("keyboardPwd")
    username = item.get("username")
    return CallbackRecord(
        lock_id=_integer(item.get("lockId", form_lock_id), "records[].lockId"),
        lock_mac=str(item.get("lockMac") or form_mac or "") or None,
        record_type=_integer(item.get("recordType"), "records[].recordType"),
        record_type_from_lock=_optional_integer(item.get("recordTypeFromLock")),
        success=_integer(item.get("success", 1), "records[].success") == 1,
        username=str(username)[:200] if username not in (None, "") else None,
        masked_code=mask_code(str(code)) if code not in (None, "") else None,
        lock_date_ms=_integer(item.get("lockDate"), "records[].lockDate"),
        server_date_ms=_optional_integer(item.get("serverDate")),
        battery=_battery(item.get("electricQuantity")),
    )


def _integer(value: object, name: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int | str):
        raise UnreadableCallback(f"{name} is missing or not a number")
    try:
        return int(value)
    except ValueError:
        raise UnreadableCallback(f"{name} is not a number") from None


def _optional_integer(value: object) -> int | None:
    if value in (None, ""):
        return None
    return _integer(value, "a record field")


def _battery(value: object) -> int | None:
    level = _optional_integer(value)
    return level if level is not None and 0 <= level <= 100 else None
