"""Sign-in throttle: guessing passwords stays slow, and strangers cannot lock a person out.

Three counts of failed sign-ins, each forgotten `FORGET_AFTER_MS` (15 min) after its last
failure:

- per (address, name): after `allowed` (5) failures, each further try waits 30 s, then 60 s,
  doubling up to 15 min: one address guessing one name;
- per address (any name): the same waits after `address_allowed` (20) failures: one address
  trying many names. Behind a reverse proxy every client has the proxy's address unless the
  proxy is trusted to tell the client's (`FORWARDED_ALLOW_IPS`, docs/front-desk.md);
- per name (any address): after `allowed` failures, each further try for that name waits 1 s,
  then 2 s, doubling up to `NAME_MAX_WAIT_MS` (1 min), never longer: guesses from many
  addresses are slowed to one a minute, and the person whose name it is waits a minute at
  most. A browser that signed in as that name before (`known_browser`) skips this wait, so a
  stranger who keeps guessing cannot keep the operator's own browser out at all.

A try is reserved before its password is checked (`reserve`): it is counted as a failure at
once, its waits are timed from its answer (`failed`), and it is forgiven, with the pair's
earlier failures, when it signs in (`succeeded`).
Reserving is synchronous (no await between looking at the counts and counting), so however
many tries arrive at once, no more passwords are checked than the counts allow.

Kept in memory: a restart forgets it, which costs an attacker a restart they cannot cause. At
most `MAX_KEYS` counts are kept; when there are more, the forgotten ones go, then the oldest.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass, field
from typing import Final

from ttlock_bridge.clock import Clock

FORGET_AFTER_MS: Final = 15 * 60_000
FIRST_WAIT_MS: Final = 30_000
"""The first wait (ms) of an (address, name) pair or an address past its allowance."""
MAX_WAIT_MS: Final = 15 * 60_000
NAME_FIRST_WAIT_MS: Final = 1_000
NAME_MAX_WAIT_MS: Final = 60_000
"""The longest a name waits, whatever strangers try: a delay, never a lock."""
MAX_KEYS: Final = 10_000
KNOWN_BROWSER_NAMES: Final = 8
"""How many operator names one browser is remembered for (a shared desk tablet)."""


@dataclass
class _Failures:
    count: int = 0
    last_ms: int = 0


@dataclass(frozen=True, slots=True)
class _Rule:
    """After `allowed` failures, wait `first_ms`, doubling per further failure, up to `max_ms`."""

    allowed: int
    first_ms: int
    max_ms: int

    def wait_ms(self, failures: _Failures, now_ms: int) -> int:
        if failures.count < self.allowed or now_ms - failures.last_ms > FORGET_AFTER_MS:
            return 0
        wait = min(self.first_ms << min(failures.count - self.allowed, 32), self.max_ms)
        return max(0, failures.last_ms + wait - now_ms)


@dataclass
class SignInThrottle:
    """`reserve(name, address)` before a password is checked; `failed(...)` or
    `succeeded(...)` after. Names count case-insensitively. `known_browser_token` and
    `is_known_browser` mark the browsers that signed in as a name before (their cookie is
    signed with a key that lives as long as the process)."""

    clock: Clock
    allowed: int = 5
    address_allowed: int = 20
    _failures: dict[str, _Failures] = field(default_factory=dict)
    _key: bytes = field(default_factory=lambda: secrets.token_bytes(32), repr=False)

    def reserve(self, name: str, address: str, *, known_browser: bool = False) -> int:
        """0 when this try may be checked now, and it is then counted as a failure already;
        else how long (ms) it must wait first, and nothing is counted."""
        now_ms = self.clock()
        rules = self._rules(name, address, known_browser=known_browser)
        wait_ms = max(
            rule.wait_ms(self._failures.get(key, _Failures()), now_ms) for key, rule in rules
        )
        if wait_ms:
            return wait_ms
        if len(self._failures) >= MAX_KEYS:
            self._forget_old(now_ms)
        for key in _keys(name, address):
            failures = self._failures.setdefault(key, _Failures())
            if now_ms - failures.last_ms > FORGET_AFTER_MS:
                failures.count = 0
            failures.count += 1
            failures.last_ms = now_ms
        return 0

    def failed(self, name: str, address: str) -> None:
        """The reserved try was wrong (it is counted already): its waits run from now, the
        end of its password check, rather than from its reservation."""
        now_ms = self.clock()
        for key in _keys(name, address):
            failures = self._failures.get(key)
            if failures is not None:
                failures.last_ms = max(failures.last_ms, now_ms)

    def succeeded(self, name: str, address: str) -> None:
        """The reserved try signed in: the pair's failures (this try included) are forgotten,
        on the name's and the address's counts too; failures for the name from other
        addresses, and for other names from this address, stay."""
        pair, by_name, by_address = _keys(name, address)
        own = self._failures.pop(pair, _Failures()).count
        for key in (by_name, by_address):
            failures = self._failures.get(key)
            if failures is not None:
                failures.count = max(0, failures.count - own)

    def known_browser_token(self, name: str) -> str:
        """What a browser that signed in as `name` keeps (in a cookie) to skip the name's wait
        next time: 32 hex digits, valid while this process runs."""
        digest = hmac.new(self._key, name.casefold().encode(), hashlib.sha256)
        return digest.hexdigest()[:32]

    def is_known_browser(self, name: str, tokens: list[str]) -> bool:
        """Whether one of a browser's `tokens` is `known_browser_token(name)`."""
        expected = self.known_browser_token(name)
        return any(hmac.compare_digest(token, expected) for token in tokens)

    def _rules(self, name: str, address: str, *, known_browser: bool) -> list[tuple[str, _Rule]]:
        pair, by_name, by_address = _keys(name, address)
        rules = [
            (pair, _Rule(self.allowed, FIRST_WAIT_MS, MAX_WAIT_MS)),
            (by_address, _Rule(self.address_allowed, FIRST_WAIT_MS, MAX_WAIT_MS)),
        ]
        if not known_browser:
            rules.append((by_name, _Rule(self.allowed, NAME_FIRST_WAIT_MS, NAME_MAX_WAIT_MS)))
        return rules

    def _forget_old(self, now_ms: int) -> None:
        for key in [k for k, f in self._failures.items() if now_ms - f.last_ms > FORGET_AFTER_MS]:
            del self._failures[key]
        if len(self._failures) >= MAX_KEYS:
            by_age = sorted(self._failures, key=lambda key: self._failures[key].last_ms)
            for key in by_age[: len(by_age) - MAX_KEYS * 3 // 4]:
                del self._failures[key]


def _keys(name: str, address: str) -> tuple[str, str, str]:
    """The (address, name) pair's, the name's and the address's count."""
    folded = name.casefold()
    return (f"pair:{address} {folded}", f"name:{folded}", f"address:{address}")
