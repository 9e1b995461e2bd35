"""Delivery of the "Lock Records Notify" callback (reference §16) to the app's callback URL.

Delivery runs in the background and never fails the request that produced the record; the
outcome is counted in the world (`callbacks_delivered` / `callbacks_failed`).
"""

import asyncio
import json
import logging

import httpx

from ttlock_bridge.simulator.state import Lock, Record, World

logger = logging.getLogger(__name__)

DELIVERY_TIMEOUT_S = 5.0
PASSCODE_RECORD_TYPE = 4
"""Cloud recordType of a passcode unlock (reference §13.3)."""


def record_fields(record: Record) -> dict[str, object]:
    """Every field of a record (reference §13.1), as the control API shows it."""
    return {
        "recordId": record.record_id,
        "lockId": record.lock_id,
        "recordTypeFromLock": record.record_type_from_lock,
        "recordType": record.record_type,
        "success": record.success,
        "username": record.username,
        "keyboardPwd": record.keyboard_pwd,
        "lockDate": record.lock_date_ms,
        "serverDate": record.server_date_ms,
    }


def listed_record(lock: Lock, record: Record) -> dict[str, object]:
    """A lockRecord/list item (reference §13.1). For an "older" lock, as the 2020 fixtures
    show: no `recordId` nor `recordTypeFromLock`, and `username` null except on passcode
    records (recordType 4, whose username is the passcode's name)."""
    fields = record_fields(record)
    if lock.older:
        del fields["recordId"], fields["recordTypeFromLock"]
        if record.record_type != PASSCODE_RECORD_TYPE:
            fields["username"] = None
    return fields


def callback_record(lock: Lock, record: Record) -> dict[str, object]:
    """A record of the callback (reference §16): the record plus `lockMac` and
    `electricQuantity`; no `recordId` for an "older" lock."""
    fields = {**record_fields(record), "lockMac": lock.mac, "electricQuantity": lock.battery}
    if lock.older:
        del fields["recordId"]
    return fields


def callback_form(lock: Lock, records: list[Record]) -> dict[str, str]:
    """The form TTLock posts: notifyType, lockId, lockMac, admin, records (JSON array text)."""
    items = [callback_record(lock, record) for record in records]
    return {
        "notifyType": "1",
        "lockId": str(lock.id),
        "lockMac": lock.mac,
        "admin": lock.admin,
        "records": json.dumps(items, separators=(",", ":")),
    }


class CallbackSender:
    """Posts callbacks in background tasks with one shared HTTP client."""

    def __init__(self, world: World) -> None:
        self._world = world
        self._client: httpx.AsyncClient | None = None
        self._tasks: set[asyncio.Task[None]] = set()
        self._last: tuple[str, dict[str, str]] | None = None

    def notify(self, lock: Lock, record: Record) -> None:
        """Schedule the callback for `record` if the lock's admin app has a callback URL."""
        url = self._world.callback_url_for(lock)
        if url is None:
            return
        self._last = (url, callback_form(lock, [record]))
        self._send(*self._last)

    def redeliver_last(self) -> bool:
        """Post the last callback again, byte for byte (TTLock is reported to deliver a record
        twice, reference §16); False when none was sent yet."""
        if self._last is None:
            return False
        self._send(*self._last)
        return True

    def _send(self, url: str, form: dict[str, str]) -> None:
        task = asyncio.create_task(self._deliver(url, form))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _deliver(self, url: str, form: dict[str, str]) -> None:
        if self._client is None:
            self._client = httpx.AsyncClient(timeout=DELIVERY_TIMEOUT_S)
        try:
            response = await self._client.post(url, data=form)
            delivered = response.status_code == 200 and response.text.strip() == "success"
        except httpx.HTTPError as error:
            logger.info("callback to %s failed: %s", url, type(error).__name__)
            delivered = False
        if delivered:
            self._world.callbacks_delivered += 1
        else:
            self._world.callbacks_failed += 1

    async def aclose(self) -> None:
        """Let deliveries in flight finish (bounded by their timeout), then close the client."""
        if self._tasks:
            await asyncio.gather(*self._tasks, return_exceptions=True)
        if self._client is not None:
            await self._client.aclose()
            self._client = None
