"""`INSERT ... ON CONFLICT` for whichever database the session is bound to."""

from __future__ import annotations

from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from ttlock_bridge.store.models import Base


def insert_for(session: Session, model: type[Base]) -> postgresql.Insert | sqlite.Insert:
    """An insert supporting `on_conflict_do_update` / `on_conflict_do_nothing` on either backend."""
    if session.get_bind().dialect.name == "postgresql":
        return postgresql.insert(model)
    return sqlite.insert(model)
