"""The store: SQLAlchemy tables, Alembic migrations, and thin functions to read and write them.

No business rules live here; the access layer decides, the store remembers.
"""

from ttlock_bridge.store.engine import STORE_UNAVAILABLE, Store, open_store, unavailable_reason
from ttlock_bridge.store.models import (
    Booking,
    BookingEvent,
    BookingFeed,
    CloudCallCount,
    ConsoleSession,
    Desired,
    Event,
    EventSource,
    Grant,
    GrantDoor,
    GrantState,
    Operator,
    OperatorAction,
    OperatorRole,
    Placement,
    PlacementKind,
    PlacementStatus,
    Token,
)

__all__ = [
    "STORE_UNAVAILABLE",
    "Booking",
    "BookingEvent",
    "BookingFeed",
    "CloudCallCount",
    "ConsoleSession",
    "Desired",
    "Event",
    "EventSource",
    "Grant",
    "GrantDoor",
    "GrantState",
    "Operator",
    "OperatorAction",
    "OperatorRole",
    "Placement",
    "PlacementKind",
    "PlacementStatus",
    "Store",
    "Token",
    "open_store",
    "unavailable_reason",
]
