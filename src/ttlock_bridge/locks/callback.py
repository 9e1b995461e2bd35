"""Reading TTLock's "Lock Records Notify" callback (reference §16). Pure: form in, records out.

TTLock posts a form with `notifyType`, `lockId`, `lockMac`, `admin` and `records`, a JSON array
serialised to a string. Only notifyType 1 carries lock records; other kinds (7, a standalone
door sensor) are read as "nothing for us".

The route is public by design (DESIGN invariant 9), so every field is bounded here, before it
can reach the store or the state: sizes, integer ranges, epoch milliseconds that a date can
hold. A value out of its range refuses the whole post (`UnreadableCallback`, which says which
field and what range); nothing is clamped silently.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from ttlock_bridge.cloud import LockRecord, mask_code
from ttlock_bridge.text import strip_unsafe

LOCK_RECORDS = "1"

MAX_RECORDS_TEXT = 65_536
"""Characters of the `records` field read at most (TTLock sends one record, ~300 characters)."""
MAX_RECORDS = 100
"""Records in one post read at most."""
MAX_ID = 2**62
"""lockId and recordId: positive, and within the store's 64-bit integer columns."""
MAX_RECORD_TYPE = 65_535
MAX_EPOCH_MS = 253_402_214_400_000
"""9999-12-31T00:00:00Z: any later lockDate/serverDate is no date (epoch ms, UTC)."""
MAX_TEXT = 200
"""Characters kept of `username` (a TTLock account or the passcode's name)."""
MAX_MASKED_CODE = 16
"""Characters kept of a masked code (the stored column's width): the last two digits show."""
CLOCK_PROBLEM_MS = 120_000
"""A lockDate further than this from when the cloud received the record (serverDate) is a
clock problem of the lock (reference §17: lock clock drift breaks passcodes)."""

_MAC = re.compile(r"[0-9A-Fa-f]{2}(?::[0-9A-Fa-f]{2}){5}")


class UnreadableCallback(ValueError):
    """The body is not a TTLock callback; the message says which part is wrong."""


@dataclass(frozen=True, slots=True)
class CallbackRecord:
    """One lock record of a callback. `masked_code` hides the passcode or card number typed.

    `lock_mac` is the record's MAC (else the form's), uppercase, None when neither gave a
    well-formed one. Dates are epoch ms (UTC): `lock_date_ms` by the lock's own clock,
    `server_date_ms` when the cloud received it (reference §13.1, §16).
    """

    lock_id: int
    lock_mac: str | None
    record_id: int | None
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

        The cloud's `recordId` when the record has one; else a digest of everything the record
        says, including `serverDate` (milliseconds, the cloud's own for each record): six
        unlocks in one second of the lock's clock are six records. Never the full code.
        """
        if self.record_id is not None:
            return f"{self.lock_id}:{self.record_id}"
        parts = (
            self.lock_date_ms,
            self.server_date_ms,
            self.record_type,
            self.record_type_from_lock,
            self.success,
            self.masked_code,
            self.username,
        )
        text = "\x1f".join("" if part is None else str(part) for part in parts)
        return f"{self.lock_id}:h:{hashlib.sha256(text.encode()).hexdigest()[:48]}"


@dataclass(frozen=True, slots=True)
class RecordTimes:
    """When a record counts as news, and what the lock's clock said about it (epoch ms).

    `heard_at_ms` orders news (DESIGN invariant 8): when the cloud received the record
    (`serverDate`), never later than when the bridge did, so no date in a record can put it
    ahead of news the bridge received afterwards. `happened_at_ms` is the lock's date while its
    clock agrees with the cloud's (within `CLOCK_PROBLEM_MS`), else `heard_at_ms`, and never
    after `heard_at_ms`.
    `clock_offset_ms` is lockDate minus `heard_at_ms`: positive when the lock's clock is ahead.
    """

    heard_at_ms: int
    happened_at_ms: int
    clock_offset_ms: int

    @property
    def clock_problem(self) -> bool:
        return abs(self.clock_offset_ms) > CLOCK_PROBLEM_MS


def record_times(lock_date_ms: int, server_date_ms: int | None, received_at_ms: int) -> RecordTimes:
    """The times of a record with these dates, received by the bridge at `received_at_ms`."""
    cloud_at_ms = received_at_ms if server_date_ms is None else server_date_ms
    heard_at_ms = min(cloud_at_ms, received_at_ms)
    offset = lock_date_ms - heard_at_ms
    happened_at_ms = lock_date_ms if abs(offset) <= CLOCK_PROBLEM_MS else heard_at_ms
    return RecordTimes(heard_at_ms, min(happened_at_ms, heard_at_ms), offset)


def read_callback(form: Mapping[str, str]) -> list[CallbackRecord]:
    """The lock records of a callback form (empty for notify types that carry none).

    Raises `UnreadableCallback` for anything else: a missing or out-of-range field, records
    that are no JSON array of objects, more than `MAX_RECORDS` or `MAX_RECORDS_TEXT`.
    """
    notify_type = form.get("notifyType")
    if notify_type is None and "records" not in form:
        raise UnreadableCallback("notifyType is missing: this is not a TTLock callback")
    if notify_type is not None and notify_type.strip() != LOCK_RECORDS:
        return []  # (a post without notifyType whose records parse is taken, as peers do)
    form_lock_id = _integer(form.get("lockId"), "lockId", 1, MAX_ID)
    form_mac = _mac(form.get("lockMac"))
    text = form.get("records") or ""
    if len(text) > MAX_RECORDS_TEXT:
        raise UnreadableCallback(f"records is longer than {MAX_RECORDS_TEXT} characters")
    try:
        items = json.loads(text)
    except (ValueError, RecursionError):
        raise UnreadableCallback("records is not a JSON array") from None
    if not isinstance(items, list) or not all(isinstance(item, dict) for item in items):
        raise UnreadableCallback("records is not a JSON array of objects")
    if len(items) > MAX_RECORDS:
        raise UnreadableCallback(f"records holds more than {MAX_RECORDS} records")
    return [_record(item, form_lock_id, form_mac) for item in items]


def listed_record(item: LockRecord) -> CallbackRecord:
    """A lockRecord/list item (reference §13.1) as a callback's record: the same fields, the
    same `dedupe_key`, so a record heard both ways is stored once. Raises
    `UnreadableCallback` for an item without the fields every record has."""
    fields: dict[str, Any] = item.model_dump(by_alias=True, exclude_none=True)
    if "success" in fields:
        fields["success"] = int(fields["success"])
    return _record(fields, item.lock_id or 0, None)


def _record(item: dict[str, Any], form_lock_id: int, form_mac: str | None) -> CallbackRecord:
    code = _text(item.get("keyboardPwd"))
    username = _text(item.get("username"))
    return CallbackRecord(
        lock_id=_integer(item.get("lockId", form_lock_id), "records[].lockId", 1, MAX_ID),
        lock_mac=_mac(item.get("lockMac")) if item.get("lockMac") else form_mac,
        record_id=_optional(item.get("recordId"), "records[].recordId", 1, MAX_ID),
        record_type=_integer(item.get("recordType"), "records[].recordType", 0, MAX_RECORD_TYPE),
        record_type_from_lock=_optional(
            item.get("recordTypeFromLock"), "records[].recordTypeFromLock", 0, MAX_RECORD_TYPE
        ),
        success=_integer(item.get("success", 1), "records[].success", 0, 1) == 1,
        username=username[:MAX_TEXT] if username else None,
        masked_code=mask_code(code)[-MAX_MASKED_CODE:] if code else None,
        lock_date_ms=_integer(item.get("lockDate"), "records[].lockDate", 0, MAX_EPOCH_MS),
        server_date_ms=_optional(item.get("serverDate"), "records[].serverDate", 0, MAX_EPOCH_MS),
        battery=_battery(item.get("electricQuantity")),
    )


def _text(value: object) -> str | None:
    """A text field (TTLock sends numbers for some: a card number), None when absent or empty;
    control and bidi characters are dropped (they would reach every channel's display)."""
    if isinstance(value, bool) or not isinstance(value, str | int):
        return None
    return strip_unsafe(str(value)) or None


def _integer(value: object, name: str, low: int, high: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int | str):
        raise UnreadableCallback(f"{name} is missing or not a number")
    try:
        number = int(value)
    except ValueError:
        raise UnreadableCallback(f"{name} is not a number") from None
    if not low <= number <= high:
        raise UnreadableCallback(f"{name} is out of range ({low} to {high})")
    return number


def _optional(value: object, name: str, low: int, high: int) -> int | None:
    if value in (None, ""):
        return None
    return _integer(value, name, low, high)


def _battery(value: object) -> int | None:
    """The battery level in percent; anything but 0-100 is no reading (older locks send -1)."""
    if isinstance(value, bool) or not isinstance(value, int | str):
        return None
    try:
        level = int(value)
    except ValueError:
        return None
    return level if 0 <= level <= 100 else None


def _mac(value: object) -> str | None:
    """A MAC as `AA:BB:CC:DD:EE:FF` (reference §5.2), None when the value is none."""
    if isinstance(value, str) and _MAC.fullmatch(value.strip()):
        return value.strip().upper()
    return None
