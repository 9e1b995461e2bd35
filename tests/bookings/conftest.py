"""The access tests' hotel (config file, SQLite ledger, cloud client on a fresh simulator) for
the booking sync tests that drive `BookingSync` directly."""

from access.conftest import hotel

__all__ = ["hotel"]
