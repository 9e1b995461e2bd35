"""Idempotency keys of grant requests, and the write guard that serialises grant writes.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-30 21:30:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    guards = op.create_table(
        "write_guards",
        sa.Column("name", sa.String(length=32), nullable=False),
        sa.Column("turns", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_write_guards")),
    )
    op.bulk_insert(guards, [{"name": "grants", "turns": 0}])
    op.create_table(
        "idempotency_keys",
        sa.Column("key", sa.String(length=200), nullable=False),
        sa.Column("fingerprint", sa.String(length=64), nullable=False),
        sa.Column("grant_id", sa.Integer(), nullable=False),
        sa.Column("created_at_ms", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(
            ["grant_id"],
            ["grants.id"],
            name=op.f("fk_idempotency_keys_grant_id_grants"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_idempotency_keys")),
    )
    op.create_index(
        op.f("ix_idempotency_keys_created_at_ms"),
        "idempotency_keys",
        ["created_at_ms"],
        unique=False,
    )


def downgrade() -> None:
    op.drop_table("idempotency_keys")
    op.drop_table("write_guards")
