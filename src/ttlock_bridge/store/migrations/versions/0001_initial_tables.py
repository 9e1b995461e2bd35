"""Initial tables: grants, grant doors, placements (the ledger), tokens, cloud calls, events.

Revision ID: 0001
Revises:
Create Date: 2026-11-22 01:56:10.959217
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "cloud_calls",
        sa.Column("endpoint", sa.String(length=100), nullable=False),
        sa.Column("period", sa.String(length=10), nullable=False),
        sa.Column("count", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("endpoint", "period", name=op.f("pk_cloud_calls")),
    )
    op.create_table(
        "events",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("lock_id", sa.BigInteger(), nullable=False),
        sa.Column("record_type", sa.Integer(), nullable=False),
        sa.Column("record_type_from_lock", sa.Integer(), nullable=True),
        sa.Column("success", sa.Boolean(), nullable=False),
        sa.Column("username", sa.String(length=200), nullable=True),
        sa.Column("masked_code", sa.String(length=16), nullable=True),
        sa.Column("lock_date_ms", sa.BigInteger(), nullable=False),
        sa.Column("server_date_ms", sa.BigInteger(), nullable=True),
        sa.Column(
            "source",
            sa.Enum("callback", "poll", name="eventsource", native_enum=False, length=16),
            nullable=False,
        ),
        sa.Column("dedupe_key", sa.String(length=200), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_events")),
        sa.UniqueConstraint("dedupe_key", name=op.f("uq_events_dedupe_key")),
    )
    op.create_index(
        "ix_events_lock_id_lock_date_ms", "events", ["lock_id", "lock_date_ms"], unique=False
    )

    op.create_table(
        "grants",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("tag", sa.String(length=16), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("room", sa.String(length=64), nullable=True),
        sa.Column("code", sa.String(length=9), nullable=False),
        sa.Column("code_generated", sa.Boolean(), nullable=False),
        sa.Column("start_ms", sa.BigInteger(), nullable=False),
        sa.Column("end_ms", sa.BigInteger(), nullable=False),
        sa.Column(
            "state",
            sa.Enum("active", "cancelled", name="grantstate", native_enum=False, length=16),
            nullable=False,
        ),
        sa.Column("created_at_ms", sa.BigInteger(), nullable=False),
        sa.Column("updated_at_ms", sa.BigInteger(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_grants")),
        sa.UniqueConstraint("tag", name=op.f("uq_grants_tag")),
    )
    op.create_index(op.f("ix_grants_end_ms"), "grants", ["end_ms"], unique=False)
    op.create_index(op.f("ix_grants_state"), "grants", ["state"], unique=False)

    op.create_table(
        "tokens",
        sa.Column("api_base", sa.String(length=200), nullable=False),
        sa.Column("username", sa.String(length=200), nullable=False),
        sa.Column("access_token", sa.Text(), nullable=False),
        sa.Column("refresh_token", sa.Text(), nullable=False),
        sa.Column("issued_at_ms", sa.BigInteger(), nullable=False),
        sa.Column("expires_at_ms", sa.BigInteger(), nullable=False),
        sa.Column("uid", sa.BigInteger(), nullable=True),
        sa.Column("updated_at_ms", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("api_base", "username", name=op.f("pk_tokens")),
    )
    op.create_table(
        "grant_doors",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("grant_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("door", sa.String(length=64), nullable=False),
        sa.Column("lock_id", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(
            ["grant_id"],
            ["grants.id"],
            name=op.f("fk_grant_doors_grant_id_grants"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_grant_doors")),
        sa.UniqueConstraint("grant_id", "lock_id", name=op.f("uq_grant_doors_grant_id_lock_id")),
    )
    op.create_table(
        "placements",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("grant_id", sa.Integer(), nullable=False),
        sa.Column("door", sa.String(length=64), nullable=False),
        sa.Column("lock_id", sa.BigInteger(), nullable=False),
        sa.Column("keyboard_pwd_id", sa.BigInteger(), nullable=True),
        sa.Column(
            "desired",
            sa.Enum("present", "absent", name="desired", native_enum=False, length=16),
            nullable=False,
        ),
        sa.Column(
            "status",
            sa.Enum(
                "intent",
                "active",
                "pending",
                "failed",
                "deleted",
                name="placementstatus",
                native_enum=False,
                length=16,
            ),
            nullable=False,
        ),
        sa.Column("applied_code", sa.String(length=9), nullable=True),
        sa.Column("applied_start_ms", sa.BigInteger(), nullable=True),
        sa.Column("applied_end_ms", sa.BigInteger(), nullable=True),
        sa.Column("applied_name", sa.String(length=200), nullable=True),
        sa.Column("last_errcode", sa.Integer(), nullable=True),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("guidance", sa.Text(), nullable=True),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at_ms", sa.BigInteger(), nullable=True),
        sa.Column("updated_at_ms", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(
            ["grant_id"],
            ["grants.id"],
            name=op.f("fk_placements_grant_id_grants"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_placements")),
        sa.UniqueConstraint("grant_id", "lock_id", name=op.f("uq_placements_grant_id_lock_id")),
    )
    op.create_index(op.f("ix_placements_lock_id"), "placements", ["lock_id"], unique=False)
    op.create_index(
        "ix_placements_status_next_attempt",
        "placements",
        ["status", "next_attempt_at_ms"],
        unique=False,
    )


def downgrade() -> None:
    for table in ("placements", "grant_doors", "tokens", "grants", "events", "cloud_calls"):
        op.drop_table(table)
