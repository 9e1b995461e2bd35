"""The replica tests' databases: SQLite and a private PostgreSQL (the store tests' server)."""

from store.conftest import database_url, postgres, store

__all__ = ["database_url", "postgres", "store"]
