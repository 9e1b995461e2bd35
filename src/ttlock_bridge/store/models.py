"""The tables, as typed SQLAlchemy models. Every time is UTC epoch milliseconds, like the cloud.

Migrations in `ttlock_bridge.store.migrations` must produce exactly these tables; a test
compares them. Passcodes and tokens are stored because the service needs them, but no model
defines a `__repr__` that could carry them into a log.
"""

from __future__ import annotations

from enum import StrEnum

from sqlalchemy import (
    BigInteger,
    Boolean,
    Enum,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class GrantState(StrEnum):
    ACTIVE = "active"
    CANCELLED = "cancelled"


class Desired(StrEnum):
    """What the lock should hold for this placement."""

    PRESENT = "present"
    ABSENT = "absent"


class PlacementStatus(StrEnum):
    """Where the placement stands with the cloud (see DESIGN.md, invariant 1)."""

    INTENT = "intent"  # written before the cloud call; outcome unknown until confirmed
    ACTIVE = "active"  # the cloud confirmed the lock holds what is desired
    PENDING = "pending"  # a transient failure; retried at next_attempt_at_ms
    FAILED = "failed"  # a permanent failure; `guidance` says what a person should do
    DELETED = "deleted"  # the cloud confirmed the passcode is gone
    EXPIRING = "expiring"  # an offline code withdrawn early: it stays on the lock to its end


class PlacementKind(StrEnum):
    """How the code reaches the lock (docs/grants.md "Two kinds of code")."""

    CUSTOM = "custom"  # the grant's code, written through the gateway (keyboardPwd/add)
    OFFLINE = "offline"  # a period code the cloud computes for this lock (keyboardPwd/get)


class EventSource(StrEnum):
    CALLBACK = "callback"
    POLL = "poll"


def _text_enum(enum: type[StrEnum]) -> Enum:
    """Store enum values as plain strings, portable across SQLite and PostgreSQL."""
    return Enum(
        enum,
        native_enum=False,
        length=16,
        validate_strings=True,
        values_callable=lambda members: [member.value for member in members],
    )


class Grant(Base):
    """Desired access: a name, one passcode, a validity window, a set of doors."""

    __tablename__ = "grants"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    tag: Mapped[str] = mapped_column(String(16), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    room: Mapped[str | None] = mapped_column(String(64))
    code: Mapped[str] = mapped_column(String(9))
    code_generated: Mapped[bool] = mapped_column(Boolean)
    start_ms: Mapped[int] = mapped_column(BigInteger)
    end_ms: Mapped[int] = mapped_column(BigInteger, index=True)
    state: Mapped[GrantState] = mapped_column(_text_enum(GrantState), index=True)
    created_at_ms: Mapped[int] = mapped_column(BigInteger)
    updated_at_ms: Mapped[int] = mapped_column(BigInteger)
    version: Mapped[int] = mapped_column(Integer)
    # Optimistic locking: an update based on a stale read fails instead of overwriting.
    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012 - SQLAlchemy's own API

    doors: Mapped[list[GrantDoor]] = relationship(
        back_populates="grant",
        cascade="all, delete-orphan",
        order_by="GrantDoor.position",
        lazy="selectin",
    )
    placements: Mapped[list[Placement]] = relationship(
        back_populates="grant",
        cascade="all, delete-orphan",
        order_by="Placement.id",
        lazy="selectin",
    )


class GrantDoor(Base):
    """One door a grant targets, with the lock it was configured as when the grant was made."""

    __tablename__ = "grant_doors"
    __table_args__ = (UniqueConstraint("grant_id", "lock_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    grant_id: Mapped[int] = mapped_column(ForeignKey("grants.id", ondelete="CASCADE"))
    position: Mapped[int] = mapped_column(Integer)
    door: Mapped[str] = mapped_column(String(64))
    lock_id: Mapped[int] = mapped_column(BigInteger)

    grant: Mapped[Grant] = relationship(back_populates="doors")


class Placement(Base):
    """The ledger: one grant's passcode on one lock, desired and as last confirmed."""

    __tablename__ = "placements"
    __table_args__ = (
        UniqueConstraint("grant_id", "lock_id"),
        Index("ix_placements_status_next_attempt", "status", "next_attempt_at_ms"),
        # One live placement per cloud record: TTLock gives one offline code per lock and
        # hours, and two stays holding one record would share one guest's code.
        Index(
            "ux_placements_lock_record",
            "lock_id",
            "keyboard_pwd_id",
            unique=True,
            sqlite_where=text("status != 'deleted'"),
            postgresql_where=text("status != 'deleted'"),
        ),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    grant_id: Mapped[int] = mapped_column(ForeignKey("grants.id", ondelete="CASCADE"))
    door: Mapped[str] = mapped_column(String(64))
    lock_id: Mapped[int] = mapped_column(BigInteger, index=True)
    kind: Mapped[PlacementKind] = mapped_column(
        _text_enum(PlacementKind), default=PlacementKind.CUSTOM, server_default="custom"
    )
    kind_reason: Mapped[str | None] = mapped_column(Text)
    """Why an offline placement is offline (the door's mode, no gateway, a fallback)."""
    keyboard_pwd_id: Mapped[int | None] = mapped_column(BigInteger)
    desired: Mapped[Desired] = mapped_column(_text_enum(Desired))
    status: Mapped[PlacementStatus] = mapped_column(_text_enum(PlacementStatus))
    applied_code: Mapped[str | None] = mapped_column(String(9))
    applied_start_ms: Mapped[int | None] = mapped_column(BigInteger)
    applied_end_ms: Mapped[int | None] = mapped_column(BigInteger)
    applied_name: Mapped[str | None] = mapped_column(String(200))
    last_errcode: Mapped[int | None] = mapped_column(Integer)
    last_error: Mapped[str | None] = mapped_column(Text)
    guidance: Mapped[str | None] = mapped_column(Text)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at_ms: Mapped[int | None] = mapped_column(BigInteger)
    updated_at_ms: Mapped[int] = mapped_column(BigInteger)
    lease_owner: Mapped[str | None] = mapped_column(String(64), index=True)
    """The replica working on this placement now (`access.leases`), None when none is."""
    lease_until_ms: Mapped[int | None] = mapped_column(BigInteger)
    """When that replica's lease ends unless it renews it: then any replica may take it."""

    grant: Mapped[Grant] = relationship(back_populates="placements")


class WriteGuard(Base):
    """A row that writers update first to take their turn: one writer at a time per guard.

    On PostgreSQL the update holds the row's lock, on SQLite the database's write lock, until
    the transaction ends; so a check made after it ("is this code free on these doors?") still
    holds when the transaction writes, even in another process.
    """

    __tablename__ = "write_guards"

    name: Mapped[str] = mapped_column(String(32), primary_key=True)
    turns: Mapped[int] = mapped_column(BigInteger)


class IdempotencyKey(Base):
    """A client's `Idempotency-Key` for creating a grant, the request it came with (a SHA-256
    fingerprint) and the grant that request created."""

    __tablename__ = "idempotency_keys"

    key: Mapped[str] = mapped_column(String(200), primary_key=True)
    fingerprint: Mapped[str] = mapped_column(String(64))
    grant_id: Mapped[int] = mapped_column(ForeignKey("grants.id", ondelete="CASCADE"))
    created_at_ms: Mapped[int] = mapped_column(BigInteger, index=True)


class Token(Base):
    """The TTLock OAuth tokens of one account on one API host."""

    __tablename__ = "tokens"

    api_base: Mapped[str] = mapped_column(String(200), primary_key=True)
    username: Mapped[str] = mapped_column(String(200), primary_key=True)
    access_token: Mapped[str] = mapped_column(Text)
    refresh_token: Mapped[str] = mapped_column(Text)
    issued_at_ms: Mapped[int] = mapped_column(BigInteger)
    expires_at_ms: Mapped[int] = mapped_column(BigInteger)
    uid: Mapped[int | None] = mapped_column(BigInteger)
    updated_at_ms: Mapped[int] = mapped_column(BigInteger)


class AuthRefusal(Base):
    """TTLock refused the password of one account on one API host: re-authentication is
    needed until the credentials (known only by their SHA-256 fingerprint) change."""

    __tablename__ = "auth_refusals"

    api_base: Mapped[str] = mapped_column(String(200), primary_key=True)
    username: Mapped[str] = mapped_column(String(200), primary_key=True)
    errcode: Mapped[int | None] = mapped_column(Integer)
    message: Mapped[str] = mapped_column(Text)
    credentials_fingerprint: Mapped[str] = mapped_column(String(64))
    refused_at_ms: Mapped[int] = mapped_column(BigInteger)


class CloudCallCount(Base):
    """How many calls were made to one endpoint in one UTC day (`2026-11-22`) or month."""

    __tablename__ = "cloud_calls"

    endpoint: Mapped[str] = mapped_column(String(100), primary_key=True)
    period: Mapped[str] = mapped_column(String(10), primary_key=True)
    count: Mapped[int] = mapped_column(Integer)


class Event(Base):
    """Something a lock did, from the callback or the record list; `dedupe_key` joins the two."""

    __tablename__ = "events"
    __table_args__ = (Index("ix_events_lock_id_lock_date_ms", "lock_id", "lock_date_ms"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    lock_id: Mapped[int] = mapped_column(BigInteger)
    record_type: Mapped[int] = mapped_column(Integer)
    record_type_from_lock: Mapped[int | None] = mapped_column(Integer)
    success: Mapped[bool] = mapped_column(Boolean)
    username: Mapped[str | None] = mapped_column(String(200))
    masked_code: Mapped[str | None] = mapped_column(String(16))
    lock_date_ms: Mapped[int] = mapped_column(BigInteger)
    server_date_ms: Mapped[int | None] = mapped_column(BigInteger)
    source: Mapped[EventSource] = mapped_column(_text_enum(EventSource))
    dedupe_key: Mapped[str] = mapped_column(String(200), unique=True)
    battery: Mapped[int | None] = mapped_column(Integer)
    """The battery level (%) the record came with, if any."""
    stored_by: Mapped[str | None] = mapped_column(String(64))
    """The replica that stored it (`store.replica`); None for events stored before 0007."""


class OperatorRole(StrEnum):
    """What a console account may do: the front desk's daily work, or that and the upkeep."""

    DESK = "desk"
    ADMIN = "admin"


class Operator(Base):
    """A person who signs in to the front-desk console; `password_hash` is an Argon2 hash."""

    __tablename__ = "operators"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(64), unique=True)
    role: Mapped[OperatorRole] = mapped_column(_text_enum(OperatorRole))
    password_hash: Mapped[str] = mapped_column(Text)
    created_at_ms: Mapped[int] = mapped_column(BigInteger)
    password_changed_at_ms: Mapped[int] = mapped_column(BigInteger)


class ConsoleSession(Base):
    """A signed-in browser: known by the SHA-256 of its cookie (the cookie itself is never
    stored), with the CSRF token its forms carry and when it expires."""

    __tablename__ = "console_sessions"

    token_sha256: Mapped[str] = mapped_column(String(64), primary_key=True)
    operator_id: Mapped[int] = mapped_column(
        ForeignKey("operators.id", ondelete="CASCADE"), index=True
    )
    csrf_token: Mapped[str] = mapped_column(String(64))
    created_at_ms: Mapped[int] = mapped_column(BigInteger)
    expires_at_ms: Mapped[int] = mapped_column(BigInteger, index=True)

    operator: Mapped[Operator] = relationship(lazy="joined")


class OperatorAction(Base):
    """Something an operator did in the console (issued, modified, cancelled a grant, revealed
    a code, unlocked a door, ran cleanup), by name so it outlives the account. `detail` is
    for people and never holds a passcode."""

    __tablename__ = "operator_actions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    at_ms: Mapped[int] = mapped_column(BigInteger, index=True)
    operator: Mapped[str] = mapped_column(String(64))
    action: Mapped[str] = mapped_column(String(32))
    grant_id: Mapped[int | None] = mapped_column(Integer, index=True)
    door: Mapped[str | None] = mapped_column(String(64))
    detail: Mapped[str | None] = mapped_column(Text)


class BookingFeed(Base):
    """One booking calendar (an export link), known by `feed_id` (a hash of its URL, never the
    URL: it carries a secret) and shown as `label`: what its last reads found."""

    __tablename__ = "booking_feeds"

    feed_id: Mapped[str] = mapped_column(String(16), primary_key=True)
    room: Mapped[str] = mapped_column(String(64))
    label: Mapped[str] = mapped_column(String(200))
    last_attempt_ms: Mapped[int | None] = mapped_column(BigInteger)
    last_success_ms: Mapped[int | None] = mapped_column(BigInteger)
    last_error: Mapped[str | None] = mapped_column(Text)
    last_error_at_ms: Mapped[int | None] = mapped_column(BigInteger)
    failures: Mapped[int] = mapped_column(Integer)
    """Failed reads since the last successful one."""
    events: Mapped[int] = mapped_column(Integer)
    """Events in the last successful read (stays and blocks)."""


class Booking(Base):
    """A stay a feed lists (its UID in that feed) and the grant the sync made for it.

    `start_ms`/`end_ms` are the stay as the feed said it at the last read (buffers applied);
    `granted_*` the window the sync last gave the grant (a change in the feed is a change from
    these, so a desk's own change of the grant stands until the feed changes). `generation`
    counts the grants the sync made for this UID: the grant's idempotency key names it.
    """

    __tablename__ = "bookings"
    __table_args__ = (UniqueConstraint("feed_id", "uid"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    feed_id: Mapped[str] = mapped_column(String(16))
    uid: Mapped[str] = mapped_column(String(255))
    room: Mapped[str] = mapped_column(String(64), index=True)
    summary: Mapped[str] = mapped_column(String(200))
    start_ms: Mapped[int] = mapped_column(BigInteger)
    end_ms: Mapped[int] = mapped_column(BigInteger)
    grant_id: Mapped[int | None] = mapped_column(
        ForeignKey("grants.id", ondelete="SET NULL"), index=True
    )
    granted_start_ms: Mapped[int | None] = mapped_column(BigInteger)
    granted_end_ms: Mapped[int | None] = mapped_column(BigInteger)
    generation: Mapped[int] = mapped_column(Integer)
    missing_reads: Mapped[int] = mapped_column(Integer)
    """Consecutive successful reads of the feed without this UID."""
    note: Mapped[str | None] = mapped_column(Text)
    """Why the sync holds back (the guest is in, the grant was refused), for people."""
    first_seen_ms: Mapped[int] = mapped_column(BigInteger)
    changed_at_ms: Mapped[int] = mapped_column(BigInteger)
    """When the feed last changed this stay (a read that finds it as it was writes nothing:
    it was seen at its feed's `last_success_ms` while `missing_reads` is 0)."""


class BookingEvent(Base):
    """Something the booking sync did or met, naming the feed (its label) and the UID: a grant
    created, changed, cancelled, kept because the guest is in, a failed read. `detail` is for
    people and never holds a passcode or a feed's URL."""

    __tablename__ = "booking_events"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    at_ms: Mapped[int] = mapped_column(BigInteger, index=True)
    feed_id: Mapped[str] = mapped_column(String(16))
    feed: Mapped[str] = mapped_column(String(200))
    room: Mapped[str] = mapped_column(String(64))
    uid: Mapped[str | None] = mapped_column(String(255))
    action: Mapped[str] = mapped_column(String(32))
    grant_id: Mapped[int | None] = mapped_column(Integer, index=True)
    detail: Mapped[str | None] = mapped_column(Text)
