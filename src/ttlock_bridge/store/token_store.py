"""The cloud client's token store backed by the `tokens` table, so `serve` survives restarts
without logging in again and PostgreSQL deployments need no writable token file."""

from __future__ import annotations

import asyncio
import time

from ttlock_bridge.cloud import StoredToken
from ttlock_bridge.store.engine import Store
from ttlock_bridge.store.tokens import forget_token, load_token, save_token


class DatabaseTokenStore:
    """One account's token pair on one API host (implements `ttlock_bridge.cloud.TokenStore`).

    The store is synchronous; each call runs in a worker thread so the event loop never waits
    on the database.
    """

    def __init__(self, store: Store, api_base: str, username: str) -> None:
        self._store = store
        self._api_base = api_base
        self._username = username

    async def load(self) -> StoredToken | None:
        return await asyncio.to_thread(self._load)

    async def save(self, token: StoredToken) -> None:
        await asyncio.to_thread(self._save, token)

    async def clear(self) -> None:
        await asyncio.to_thread(self._clear)

    def _load(self) -> StoredToken | None:
        with self._store.transaction() as session:
            row = load_token(session, self._api_base, self._username)
            if row is None:
                return None
            return StoredToken(
                username=row.username,
                access_token=row.access_token,
                refresh_token=row.refresh_token,
                issued_at_ms=row.issued_at_ms,
                expires_at_ms=row.expires_at_ms,
                uid=row.uid,
            )

    def _save(self, token: StoredToken) -> None:
        with self._store.transaction() as session:
            save_token(
                session,
                api_base=self._api_base,
                username=self._username,
                access_token=token.access_token,
                refresh_token=token.refresh_token,
                issued_at_ms=token.issued_at_ms,
                expires_at_ms=token.expires_at_ms,
                uid=token.uid,
                now_ms=int(time.time() * 1000),
            )

    def _clear(self) -> None:
        with self._store.transaction() as session:
            forget_token(session, self._api_base, self._username)
