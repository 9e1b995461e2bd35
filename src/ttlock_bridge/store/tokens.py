"""The TTLock token pair, one row per (API host, account)."""

from __future__ import annotations

from sqlalchemy import delete
from sqlalchemy.orm import Session

from ttlock_bridge.store.models import Token
from ttlock_bridge.store.upsert import insert_for


def load_token(session: Session, api_base: str, username: str) -> Token | None:
    return session.get(Token, (api_base, username))


def save_token(
    session: Session,
    *,
    api_base: str,
    username: str,
    access_token: str,
    refresh_token: str,
    issued_at_ms: int,
    expires_at_ms: int,
    uid: int | None,
    now_ms: int,
) -> None:
    """Insert or replace the account's token pair."""
    values = {
        "access_token": access_token,
        "refresh_token": refresh_token,
        "issued_at_ms": issued_at_ms,
        "expires_at_ms": expires_at_ms,
        "uid": uid,
        "updated_at_ms": now_ms,
    }
    statement = insert_for(session, Token).values(api_base=api_base, username=username, **values)
    session.execute(
        statement.on_conflict_do_update(index_elements=["api_base", "username"], set_=values)
    )
    session.expire_all()


def forget_token(session: Session, api_base: str, username: str) -> None:
    """Drop the account's tokens (after a logout or a refused refresh)."""
    session.execute(delete(Token).where(Token.api_base == api_base, Token.username == username))
