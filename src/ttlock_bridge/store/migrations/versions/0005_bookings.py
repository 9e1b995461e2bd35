"""Booking calendars: the feeds, the bookings they list and the grants made for them, and the
journal of what the booking sync did.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-02 09:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "booking_feeds",
        sa.Column("feed_id", sa.String(length=16), nullable=False),
        sa.Column("room", sa.String(length=64), nullable=False),
        sa.Column("label", sa.String(length=200), nullable=False),
        sa.Column("last_attempt_ms", sa.BigInteger(), nullable=True),
        sa.Column("last_success_ms", sa.BigInteger(), nullable=True),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("last_error_at_ms", sa.BigInteger(), nullable=True),
        sa.Column("failures", sa.Integer(), nullable=False),
        sa.Column("events", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("feed_id", name=op.f("pk_booking_feeds")),
    )
    op.create_table(
        "bookings",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("feed_id", sa.String(length=16), nullable=False),
        sa.Column("uid", sa.String(length=255), nullable=False),
        sa.Column("room", sa.String(length=64), nullable=False),
        sa.Column("summary", sa.String(length=200), nullable=False),
        sa.Column("start_ms", sa.BigInteger(), nullable=False),
        sa.Column("end_ms", sa.BigInteger(), nullable=False),
        sa.Column("grant_id", sa.Integer(), nullable=True),
        sa.Column("granted_start_ms", sa.BigInteger(), nullable=True),
        sa.Column("granted_end_ms", sa.BigInteger(), nullable=True),
        sa.Column("generation", sa.Integer(), nullable=False),
        sa.Column("missing_reads", sa.Integer(), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("first_seen_ms", sa.BigInteger(), nullable=False),
        sa.Column("changed_at_ms", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(
            ["grant_id"],
            ["grants.id"],
            name=op.f("fk_bookings_grant_id_grants"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_bookings")),
        sa.UniqueConstraint("feed_id", "uid", name=op.f("uq_bookings_feed_id_uid")),
    )
    op.create_index(op.f("ix_bookings_room"), "bookings", ["room"])
    op.create_index(op.f("ix_bookings_grant_id"), "bookings", ["grant_id"])
    op.create_table(
        "booking_events",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("at_ms", sa.BigInteger(), nullable=False),
        sa.Column("feed_id", sa.String(length=16), nullable=False),
        sa.Column("feed", sa.String(length=200), nullable=False),
        sa.Column("room", sa.String(length=64), nullable=False),
        sa.Column("uid", sa.String(length=255), nullable=True),
        sa.Column("action", sa.String(length=32), nullable=False),
        sa.Column("grant_id", sa.Integer(), nullable=True),
        sa.Column("detail", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_booking_events")),
    )
    op.create_index(op.f("ix_booking_events_at_ms"), "booking_events", ["at_ms"])
    op.create_index(op.f("ix_booking_events_grant_id"), "booking_events", ["grant_id"])


def downgrade() -> None:
    op.drop_table("booking_events")
    op.drop_table("bookings")
    op.drop_table("booking_feeds")
