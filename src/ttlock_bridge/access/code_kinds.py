"""Which kind of code each door gets: online (the grant's code, written through the gateway) or
offline (a period code the cloud computes for that lock, valid without any connection;
reference §8.1), from the door's configured `mode` and what is known of its gateway now.

`auto` doors get an online code unless their lock is known to have no gateway; one that turns
out to have none (-2012 at the first try) becomes offline. With `[property] offline_fallback`,
an online code still waiting for its gateway shortly before the stay gives way to an offline
code (`planner.offline_fallback_due`). Every offline placement says why it is offline.
"""

from __future__ import annotations

from collections.abc import Callable

from ttlock_bridge.config import Config
from ttlock_bridge.locks.gateways import GatewayState

GatewayOf = Callable[[int], GatewayState | None]
"""A door's gateway state as last known, by lock id (None: not known yet)."""

MODE_OFFLINE = "the door's mode is offline"
NO_GATEWAY = "the lock has no gateway"
FALLBACK = "fallback: "
FALLBACK_FAILED = "the offline fallback failed: "
"""How an online door that tried the fallback and could not get an offline code says so: it is
online again, waiting for its gateway, and does not fall back again."""


class CodeKinds:
    """The configured modes and fallback, and the gateways as the bridge knows them now."""

    def __init__(self, config: Config, gateway_of: GatewayOf | None = None) -> None:
        self._modes = {door.lock_id: door.mode for door in config.doors.values()}
        self._gateway_of = gateway_of or _unknown
        settings = config.property
        self._fallback = settings.offline_fallback
        self.fallback_after_ms = int(settings.offline_fallback_after.total_seconds() * 1000)
        self.fallback_window_ms = int(settings.offline_fallback_window.total_seconds() * 1000)

    def at_issue(self, lock_id: int) -> str | None:
        """Why the door gets an offline code when a grant is made; None: an online one."""
        mode = self._modes.get(lock_id, "auto")
        if mode == "offline":
            return MODE_OFFLINE
        if mode == "auto" and self._gateway_of(lock_id) is GatewayState.NONE:
            return NO_GATEWAY
        return None

    def without_gateway(self, lock_id: int) -> str | None:
        """Why an online code the cloud refused for want of a gateway (-2012) becomes an
        offline one (an `auto` door); None: it stays online and fails (an `online` door)."""
        return NO_GATEWAY if self._modes.get(lock_id, "auto") == "auto" else None

    def may_fall_back(self, lock_id: int) -> bool:
        """Whether the door's online code may give way to an offline one (`offline_fallback`
        on, and the door in `auto` mode: `online` means online only)."""
        return self._fallback and self._modes.get(lock_id, "auto") == "auto"

    def has_gateway(self, lock_id: int) -> bool:
        """Whether the lock has a gateway (online or not), or it is not known yet: whether a
        gateway may ever remove an offline code before its end."""
        return self._gateway_of(lock_id) is not GatewayState.NONE

    def reachable(self, lock_id: int) -> bool:
        """Whether a command may reach the lock now: its gateway is not known to be missing or
        offline."""
        return self._gateway_of(lock_id) not in (GatewayState.NONE, GatewayState.OFFLINE)

    def fallback_reason(self) -> str:
        minutes = self.fallback_after_ms // 60_000
        return (
            f"{FALLBACK}the online code was not on the lock {minutes} min after it was "
            "issued, shortly before the stay"
        )


def from_fallback(reason: str | None) -> bool:
    """Whether an offline placement is offline because of the fallback (`reason`: its kind's)."""
    return reason is not None and reason.startswith(FALLBACK)


def fallback_failed(reason: str | None) -> bool:
    """Whether an online placement already tried the fallback and came back online."""
    return reason is not None and reason.startswith(FALLBACK_FAILED)


def _unknown(_lock_id: int) -> GatewayState | None:
    return None
