"""Sign-in throttle: after `allowed` failed sign-ins for one name or from one address, further
tries wait, the wait doubling with each failure (30 s, 60 s, ... at most 15 min).

Kept in memory: a restart forgets it, which costs an attacker a restart they cannot cause.
Failures older than 15 minutes are forgotten, and so is a name or address that signs in.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Final

from ttlock_bridge.clock import Clock

FORGET_AFTER_MS: Final = 15 * 60_000
FIRST_WAIT_MS: Final = 30_000
MAX_KEYS: Final = 10_000


@dataclass
class _Failures:
    count: int = 0
    last_ms: int = 0


@dataclass
class SignInThrottle:
    """`wait_ms(name, address)` before trying; `failed(...)` / `succeeded(...)` after."""

    clock: Clock
    allowed: int = 5
    _failures: dict[str, _Failures] = field(default_factory=dict)

    def wait_ms(self, name: str, address: str) -> int:
        """How long (ms) this name or address must wait before a try is looked at; 0: now."""
        now_ms = self.clock()
        return max(self._wait(key, now_ms) for key in _keys(name, address))

    def failed(self, name: str, address: str) -> None:
        now_ms = self.clock()
        if len(self._failures) > MAX_KEYS:
            self._forget_old(now_ms)
        for key in _keys(name, address):
            failures = self._failures.setdefault(key, _Failures())
            if now_ms - failures.last_ms > FORGET_AFTER_MS:
                failures.count = 0
            failures.count += 1
            failures.last_ms = now_ms

    def succeeded(self, name: str, address: str) -> None:
        for key in _keys(name, address):
            self._failures.pop(key, None)

    def _wait(self, key: str, now_ms: int) -> int:
        failures = self._failures.get(key)
        if failures is None or failures.count < self.allowed:
            return 0
        if now_ms - failures.last_ms > FORGET_AFTER_MS:
            return 0
        wait = min(FIRST_WAIT_MS << (failures.count - self.allowed), FORGET_AFTER_MS)
        return max(0, failures.last_ms + wait - now_ms)

    def _forget_old(self, now_ms: int) -> None:
        for key in [k for k, f in self._failures.items() if now_ms - f.last_ms > FORGET_AFTER_MS]:
            del self._failures[key]


def _keys(name: str, address: str) -> tuple[str, str]:
    return (f"name:{name.casefold()}", f"address:{address}")
