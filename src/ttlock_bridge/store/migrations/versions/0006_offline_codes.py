"""Offline codes: a placement's kind (custom through the gateway, or an offline period code),
why it is offline, and one live placement per cloud record.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-01 11:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("placements") as batch:
        batch.add_column(
            sa.Column(
                "kind",
                sa.Enum("custom", "offline", name="placementkind", native_enum=False, length=16),
                nullable=False,
                server_default="custom",
            )
        )
        batch.add_column(sa.Column("kind_reason", sa.Text(), nullable=True))
    op.create_index(
        "ux_placements_lock_record",
        "placements",
        ["lock_id", "keyboard_pwd_id"],
        unique=True,
        sqlite_where=sa.text("status != 'deleted'"),
        postgresql_where=sa.text("status != 'deleted'"),
    )


def downgrade() -> None:
    op.drop_index("ux_placements_lock_record", table_name="placements")
    with op.batch_alter_table("placements") as batch:
        batch.drop_column("kind_reason")
        batch.drop_column("kind")
