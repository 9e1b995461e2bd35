"""Auth refusals: the "re-authentication needed" state survives a restart.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-30 21:40:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "auth_refusals",
        sa.Column("api_base", sa.String(length=200), nullable=False),
        sa.Column("username", sa.String(length=200), nullable=False),
        sa.Column("errcode", sa.Integer(), nullable=True),
        sa.Column("message", sa.Text(), nullable=False),
        sa.Column("credentials_fingerprint", sa.String(length=64), nullable=False),
        sa.Column("refused_at_ms", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("api_base", "username", name=op.f("pk_auth_refusals")),
    )


def downgrade() -> None:
    op.drop_table("auth_refusals")
