"""The cloud client's token store backed by the database: `serve` and every CLI command share
one token per (API host, account), survive restarts without logging in again, and keep the
"re-authentication needed" state. PostgreSQL deployments need no writable token file."""

from __future__ import annotations

import asyncio
import logging
import time
from pathlib import Path

from ttlock_bridge.cloud import FileTokenStore, StoredRefusal, StoredToken
from ttlock_bridge.store.engine import Store
from ttlock_bridge.store.tokens import (
    forget_token,
    load_refusal,
    load_token,
    save_refusal,
    save_token,
)

log = logging.getLogger("ttlock_bridge.store")

LEGACY_TOKEN_FILE = "ttlock-token.json"  # noqa: S105 - a file name, not a secret
"""Where `ttlock-bridge login` kept the token before it moved into the database."""


class DatabaseTokenStore:
    """One account's token pair on one API host (implements `ttlock_bridge.cloud.TokenStore`).

    `legacy_dir` names a data directory whose `ttlock-token.json` (written by an earlier
    version's `login`) is moved into the database once, the first time no token is stored.
    The store is synchronous; each call runs in a worker thread so the event loop never waits
    on the database.
    """

    def __init__(
        self, store: Store, api_base: str, username: str, legacy_dir: Path | None = None
    ) -> None:
        self._store = store
        self._api_base = api_base
        self._username = username
        self._legacy = FileTokenStore(legacy_dir / LEGACY_TOKEN_FILE) if legacy_dir else None

    async def load(self) -> StoredToken | None:
        token = await asyncio.to_thread(self._load)
        if token is None and self._legacy is not None:
            token = await self._adopt_legacy_file(self._legacy)
        return token

    async def save(self, token: StoredToken) -> None:
        await asyncio.to_thread(self._save, token)

    async def clear(self) -> None:
        await asyncio.to_thread(self._clear)

    async def load_refusal(self) -> StoredRefusal | None:
        return await asyncio.to_thread(self._load_refusal)

    async def refuse(self, refusal: StoredRefusal) -> None:
        await asyncio.to_thread(self._refuse, refusal)

    async def _adopt_legacy_file(self, legacy: FileTokenStore) -> StoredToken | None:
        token = await legacy.load()
        if token is None or token.username != self._username:
            return None
        await self.save(token)
        legacy.path.unlink()  # a live token pair must not stay on disk beside the database
        log.info("event=token_file_migrated file=%s", legacy.path)
        return token

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

    def _load_refusal(self) -> StoredRefusal | None:
        with self._store.transaction() as session:
            row = load_refusal(session, self._api_base, self._username)
            if row is None:
                return None
            return StoredRefusal(
                errcode=row.errcode,
                message=row.message,
                credentials_fingerprint=row.credentials_fingerprint,
            )

    def _refuse(self, refusal: StoredRefusal) -> None:
        with self._store.transaction() as session:
            save_refusal(
                session,
                api_base=self._api_base,
                username=self._username,
                errcode=refusal.errcode,
                message=refusal.message,
                credentials_fingerprint=refusal.credentials_fingerprint,
                now_ms=int(time.time() * 1000),
            )
