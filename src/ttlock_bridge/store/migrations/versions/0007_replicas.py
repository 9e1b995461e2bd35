"""Replicas: which replica works on a placement and until when (its lease, UTC epoch ms), and
which replica stored each event, with the battery level its record gave (the other replicas'
lock state follows the events they did not store).

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-08 10:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("placements") as batch:
        batch.add_column(sa.Column("lease_owner", sa.String(length=64), nullable=True))
        batch.add_column(sa.Column("lease_until_ms", sa.BigInteger(), nullable=True))
        batch.create_index(batch.f("ix_placements_lease_owner"), ["lease_owner"], unique=False)
    with op.batch_alter_table("events") as batch:
        batch.add_column(sa.Column("stored_by", sa.String(length=64), nullable=True))
        batch.add_column(sa.Column("battery", sa.Integer(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("events") as batch:
        batch.drop_column("battery")
        batch.drop_column("stored_by")
    with op.batch_alter_table("placements") as batch:
        batch.drop_index(batch.f("ix_placements_lease_owner"))
        batch.drop_column("lease_until_ms")
        batch.drop_column("lease_owner")
