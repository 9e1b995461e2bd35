"""Idempotency keys: which grant a client's retried create request already made."""

from __future__ import annotations

from sqlalchemy import delete
from sqlalchemy.orm import Session

from ttlock_bridge.store.models import IdempotencyKey


def find_key(session: Session, key: str) -> IdempotencyKey | None:
    """The key as first used (its request fingerprint and grant id), if still remembered."""
    return session.get(IdempotencyKey, key)


def remember_key(
    session: Session, key: str, *, fingerprint: str, grant_id: int, now_ms: int
) -> None:
    """Record that `key`, with the request whose fingerprint is given, created `grant_id`."""
    session.add(
        IdempotencyKey(key=key, fingerprint=fingerprint, grant_id=grant_id, created_at_ms=now_ms)
    )
    session.flush()


def forget_keys_before(session: Session, cutoff_ms: int) -> int:
    """Drop keys first used before `cutoff_ms`; returns how many."""
    result = session.execute(delete(IdempotencyKey).where(IdempotencyKey.created_at_ms < cutoff_ms))
    return int(result.rowcount)  # type: ignore[attr-defined]
