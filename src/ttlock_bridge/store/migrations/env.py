"""Alembic environment: runs migrations on the engine handed over by `store.migrate`."""

from alembic import context
from sqlalchemy import Engine

from ttlock_bridge.store.models import Base

engine: Engine = context.config.attributes["engine"]
with engine.begin() as connection:
    context.configure(
        connection=connection,
        target_metadata=Base.metadata,
        render_as_batch=connection.dialect.name == "sqlite",
    )
    context.run_migrations()
