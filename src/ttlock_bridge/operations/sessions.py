"""Console sessions: the cookie a browser holds after signing in, and the CSRF token its
forms must carry.

The cookie value is 32 random bytes; the store keeps only its SHA-256, so a copy of the
database opens no browser session. A session ends when it expires (`lifetime_ms` after sign-in),
at sign-out, when its account is removed or its password changed.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass

from ttlock_bridge.clock import Clock
from ttlock_bridge.store import ConsoleSession, OperatorRole, Store
from ttlock_bridge.store.operators import find_operator, find_session, forget_sessions


@dataclass(frozen=True, slots=True)
class SignedIn:
    """Who a session belongs to, the CSRF token of its forms, and when it ends (UTC ms)."""

    operator: str
    role: OperatorRole
    csrf_token: str
    expires_at_ms: int


class Sessions:
    """Open, find and close sessions; synchronous (async callers use a worker thread)."""

    def __init__(self, store: Store, clock: Clock, lifetime_ms: int) -> None:
        self._store = store
        self._clock = clock
        self._lifetime_ms = lifetime_ms

    def open(self, operator: str) -> tuple[str, SignedIn]:
        """A new session for the named operator: (cookie value, session). Expired sessions
        of anyone are forgotten on the way. Raises `LookupError` for an unknown operator."""
        now_ms = self._clock()
        token = secrets.token_urlsafe(32)
        with self._store.transaction() as session:
            forget_sessions(session, expired_at_ms=now_ms)
            account = find_operator(session, operator)
            if account is None:
                raise LookupError(operator)
            row = ConsoleSession(
                token_sha256=_digest(token),
                operator_id=account.id,
                csrf_token=secrets.token_urlsafe(32),
                created_at_ms=now_ms,
                expires_at_ms=now_ms + self._lifetime_ms,
            )
            session.add(row)
            return token, SignedIn(account.name, account.role, row.csrf_token, row.expires_at_ms)

    def find(self, token: str) -> SignedIn | None:
        """The live session of a cookie value; None when unknown or expired."""
        with self._store.transaction() as session:
            row = find_session(session, _digest(token))
            if row is None or row.expires_at_ms <= self._clock():
                return None
            return SignedIn(row.operator.name, row.operator.role, row.csrf_token, row.expires_at_ms)

    def close(self, token: str) -> None:
        """End the session of a cookie value (nothing happens for an unknown one)."""
        with self._store.transaction() as session:
            row = find_session(session, _digest(token))
            if row is not None:
                session.delete(row)


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()
