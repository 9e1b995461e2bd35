"""The TTLock token pair and the refusal of an account's password, one row per (API host,
account) each."""

from __future__ import annotations

from sqlalchemy import delete
from sqlalchemy.orm import Session

from ttlock_bridge.store.models import AuthRefusal, Token
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
    """Insert or replace the account's token pair; a working token ends any refusal."""
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
    forget_refusal(session, api_base, username)
    session.expire_all()


def forget_token(session: Session, api_base: str, username: str) -> None:
    """Drop the account's tokens (after a logout or a refused refresh)."""
    session.execute(delete(Token).where(Token.api_base == api_base, Token.username == username))


def load_refusal(session: Session, api_base: str, username: str) -> AuthRefusal | None:
    return session.get(AuthRefusal, (api_base, username))


def save_refusal(
    session: Session,
    *,
    api_base: str,
    username: str,
    errcode: int | None,
    message: str,
    credentials_fingerprint: str,
    now_ms: int,
) -> None:
    """Record that TTLock refused these credentials, and drop the account's tokens."""
    values = {
        "errcode": errcode,
        "message": message,
        "credentials_fingerprint": credentials_fingerprint,
        "refused_at_ms": now_ms,
    }
    statement = insert_for(session, AuthRefusal).values(
        api_base=api_base, username=username, **values
    )
    session.execute(
        statement.on_conflict_do_update(index_elements=["api_base", "username"], set_=values)
    )
    forget_token(session, api_base, username)
    session.expire_all()


def forget_refusal(session: Session, api_base: str, username: str) -> None:
    session.execute(
        delete(AuthRefusal).where(
            AuthRefusal.api_base == api_base, AuthRefusal.username == username
        )
    )
