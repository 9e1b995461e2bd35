"""Console operators, their sessions and the actions they took: thin reads and writes."""

from __future__ import annotations

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from ttlock_bridge.store.models import ConsoleSession, Operator, OperatorAction


def find_operator(session: Session, name: str) -> Operator | None:
    """The operator called `name` in any case (names are ASCII; new ones are stored lower
    case, and one stored in mixed case before names were case-insensitive is found too)."""
    query = select(Operator).where(func.lower(Operator.name) == name.lower()).order_by(Operator.id)
    return session.scalars(query).first()


def list_operators(session: Session) -> list[Operator]:
    return list(session.scalars(select(Operator).order_by(Operator.name)))


def find_session(session: Session, token_sha256: str) -> ConsoleSession | None:
    return session.get(ConsoleSession, token_sha256)


def forget_sessions(
    session: Session, *, operator_id: int | None = None, expired_at_ms: int | None = None
) -> None:
    """Delete one operator's sessions, or every session expired at `expired_at_ms`."""
    statement = delete(ConsoleSession)
    if operator_id is not None:
        statement = statement.where(ConsoleSession.operator_id == operator_id)
    if expired_at_ms is not None:
        statement = statement.where(ConsoleSession.expires_at_ms <= expired_at_ms)
    session.execute(statement)


def actions(
    session: Session, *, grant_id: int | None = None, limit: int = 100
) -> list[OperatorAction]:
    """The newest first, optionally of one grant."""
    query = select(OperatorAction).order_by(OperatorAction.id.desc()).limit(limit)
    if grant_id is not None:
        query = query.where(OperatorAction.grant_id == grant_id)
    return list(session.scalars(query))
