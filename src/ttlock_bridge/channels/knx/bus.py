"""The KNX/IP connection: join the bus with xknx, keep trying until it works, pass telegrams on.

xknx reconnects a tunnel it has lost, but not one it never got; so the first connection is
retried here, and the state (with the reason when not connected) is kept for `/readyz`.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from xknx import XKNX
from xknx.core.connection_state import XknxConnectionState
from xknx.exceptions import XKNXException
from xknx.io import ConnectionConfig, ConnectionType, SecureConfig
from xknx.telegram import GroupAddress, Telegram
from xknx.telegram.apci import GroupValueRead, GroupValueResponse, GroupValueWrite

from ttlock_bridge.channels.knx.dpt import Payload
from ttlock_bridge.config.knx import KnxSettings

log = logging.getLogger("ttlock_bridge.knx")

# xknx logs whole telegrams and frames at DEBUG, and a code object's telegram is the passcode in
# ASCII: keep xknx at INFO so a service run with DEBUG logging never writes a passcode.
logging.getLogger("xknx").setLevel(logging.INFO)

KEYRING_VARIABLE = "KNX_KEYRING_PASSWORD"
RETRY_CONNECT_SECONDS = 3.0


class KnxSetupError(Exception):
    """The `[knx]` settings cannot make a connection (e.g. the keyring password is not set)."""


@dataclass(frozen=True, slots=True)
class GroupValue:
    """A group write or response seen on the bus: where to, and its raw payload."""

    address: str
    payload: Payload
    is_write: bool


def connection_config(
    settings: KnxSettings, environ: Mapping[str, str] = os.environ
) -> ConnectionConfig:
    """The xknx connection for the settings; KNX IP Secure when a keyring is configured."""
    secure = None
    if settings.secure is not None:
        password = environ.get(KEYRING_VARIABLE)
        if not password:
            raise KnxSetupError(
                f"knx.secure.keyring is set but {KEYRING_VARIABLE} is empty: export the "
                "keyring's password in that environment variable"
            )
        secure = SecureConfig(
            knxkeys_file_path=settings.secure.keyring,
            knxkeys_password=password,
            user_id=settings.secure.user_id,
        )
    if settings.connection == "routing":
        kind = ConnectionType.ROUTING if secure is None else ConnectionType.ROUTING_SECURE
    elif settings.connection == "tunneling_tcp":
        kind = (
            ConnectionType.TUNNELING_TCP if secure is None else ConnectionType.TUNNELING_TCP_SECURE
        )
    else:
        kind = ConnectionType.TUNNELING
    return ConnectionConfig(
        connection_type=kind,
        gateway_ip=settings.gateway_ip,
        gateway_port=settings.gateway_port,
        local_ip=settings.local_ip,
        individual_address=settings.individual_address,
        multicast_group=settings.multicast_group,
        multicast_port=settings.multicast_port,
        secure_config=secure,
    )


def describe(settings: KnxSettings) -> str:
    """`tunneling to 192.0.2.10:3671` or `routing on 224.0.23.12:3671`, for status lines."""
    if settings.connection == "routing":
        return f"routing on {settings.multicast_group}:{settings.multicast_port}"
    return f"{settings.connection} to {settings.gateway_ip}:{settings.gateway_port}"


class KnxBus:
    """One connection to the bus; `on_value` gets every group write and response received,
    `on_connected` is called each time the connection is (re-)established."""

    def __init__(
        self,
        settings: KnxSettings,
        on_value: Callable[[GroupValue], None],
        environ: Mapping[str, str] = os.environ,
        on_connected: Callable[[], None] = lambda: None,
    ) -> None:
        self._settings = settings
        self._on_value = on_value
        self._on_connected = on_connected
        self._environ = environ
        self._xknx: XKNX | None = None
        self._connector: asyncio.Task[None] | None = None
        self.connected = False
        self.detail = "not started"

    async def start(self) -> None:
        """Begin connecting in the background; the service starts even if the bus is away."""
        self._connector = asyncio.create_task(self._connect_until_done(), name="knx-connect")

    async def stop(self) -> None:
        if self._connector is not None:
            self._connector.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._connector
            self._connector = None
        xknx, self._xknx = self._xknx, None  # no "connection lost" while we hang up ourselves
        self.connected = False
        if xknx is not None and xknx.started.is_set():
            await xknx.stop()
        self.detail = "stopped"

    def write(self, address: str, payload: Payload) -> bool:
        """Queue a group write; False (and nothing sent) while not connected."""
        return self._send(Telegram(GroupAddress(address), payload=GroupValueWrite(payload)))

    def read(self, address: str) -> bool:
        """Ask the bus for an object's value; the answer arrives through `on_value`."""
        return self._send(Telegram(GroupAddress(address), payload=GroupValueRead()))

    def _send(self, telegram: Telegram) -> bool:
        if self._xknx is None or not self.connected:
            log.debug(
                "event=knx_not_sent reason=not_connected address=%s", telegram.destination_address
            )
            return False
        self._xknx.telegrams.put_nowait(telegram)
        return True

    async def _connect_until_done(self) -> None:
        where = describe(self._settings)
        try:
            config = connection_config(self._settings, self._environ)
        except KnxSetupError as error:
            self.detail = str(error)
            log.error("event=knx_setup_failed detail=%s", error)
            return
        attempt = 0
        while True:
            attempt += 1
            self.detail = f"connecting ({where}, attempt {attempt})"
            xknx = XKNX(
                connection_config=config,
                telegram_received_cb=self._received,
                connection_state_changed_cb=self._state_changed,
            )
            try:
                await xknx.start()
            except (XKNXException, OSError) as error:
                self.detail = f"cannot connect ({where}): {error}; retrying"
                log.warning("event=knx_connect_failed where=%s attempt=%d", where, attempt)
                await _stop_quietly(xknx)
                await asyncio.sleep(RETRY_CONNECT_SECONDS)
                continue
            self._xknx = xknx
            self.connected = True
            self.detail = f"connected ({where})"
            log.info("event=knx_connected where=%s", where)
            self._on_connected()
            return

    def _state_changed(self, state: XknxConnectionState) -> None:
        where = describe(self._settings)
        was_connected = self.connected
        self.connected = state is XknxConnectionState.CONNECTED
        if state is XknxConnectionState.CONNECTED:
            self.detail = f"connected ({where})"
            if self._xknx is not None and not was_connected:  # a reconnect, not the first start
                log.info("event=knx_reconnected where=%s", where)
                self._on_connected()
        elif self._xknx is not None:  # lost after the first connection: xknx reconnects
            self.detail = f"reconnecting ({where}): connection lost"
            log.warning("event=knx_connection_lost where=%s", where)

    def _received(self, telegram: Telegram) -> None:
        payload = telegram.payload
        if not isinstance(telegram.destination_address, GroupAddress):
            return
        if isinstance(payload, GroupValueWrite | GroupValueResponse):
            self._on_value(
                GroupValue(
                    str(telegram.destination_address),
                    payload.value,
                    isinstance(payload, GroupValueWrite),
                )
            )


async def _stop_quietly(xknx: XKNX) -> None:
    """Undo a half-done start so a retry begins clean."""
    xknx.task_registry.stop()
    with contextlib.suppress(XKNXException, OSError):
        await xknx.knxip_interface.stop()
