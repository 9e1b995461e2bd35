"""The access tests' hotel (config file, SQLite ledger, cloud client on a fresh simulator) for
the booking sync tests that drive `BookingSync` directly, and the store tests' databases (SQLite
and a private PostgreSQL) for those that run on each."""

from access.conftest import hotel
from store.conftest import database_url, postgres

__all__ = ["database_url", "hotel", "postgres"]
