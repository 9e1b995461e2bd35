"""Access and refresh tokens: when to renew them, and where they are kept between runs."""

import contextlib
import json
import os
import tempfile
from pathlib import Path
from typing import Protocol

from pydantic import BaseModel, ConfigDict, Field, ValidationError

MAX_REFRESH_MARGIN_MS = 24 * 3600 * 1000
"""Renew a token at the latest one day before it expires (a fresh one lasts 90 days)."""


class StoredToken(BaseModel):
    """A token pair as kept between runs; times are epoch ms on TTLock's clock."""

    model_config = ConfigDict(frozen=True)

    username: str
    access_token: str = Field(repr=False)
    refresh_token: str = Field(repr=False)
    issued_at_ms: int
    expires_at_ms: int
    uid: int | None = None

    def needs_refresh(self, now_ms: int) -> bool:
        """True once less than a tenth of the lifetime (at most one day) remains."""
        lifetime = self.expires_at_ms - self.issued_at_ms
        margin = min(MAX_REFRESH_MARGIN_MS, lifetime // 10)
        return now_ms >= self.expires_at_ms - margin


class StoredRefusal(BaseModel):
    """TTLock refused both the refresh token and the password for the credentials whose
    `Credentials.fingerprint` this is: a restart with the same ones must not ask again."""

    model_config = ConfigDict(frozen=True)

    errcode: int | None
    message: str
    credentials_fingerprint: str


class TokenStore(Protocol):
    """Where the current token pair lives between runs (the database for the service and the
    CLI; a file or memory for scripts), and the "re-authentication needed" state.

    `save` forgets a stored refusal (a token proves the credentials work again); `refuse`
    forgets the token.
    """

    async def load(self) -> StoredToken | None: ...

    async def save(self, token: StoredToken) -> None: ...

    async def clear(self) -> None: ...

    async def load_refusal(self) -> StoredRefusal | None: ...

    async def refuse(self, refusal: StoredRefusal) -> None: ...


class MemoryTokenStore:
    """Keeps the token for the life of the process only (benchmarks, one-shot scripts)."""

    def __init__(self) -> None:
        self._token: StoredToken | None = None
        self._refusal: StoredRefusal | None = None

    async def load(self) -> StoredToken | None:
        return self._token

    async def save(self, token: StoredToken) -> None:
        self._token, self._refusal = token, None

    async def clear(self) -> None:
        self._token = None

    async def load_refusal(self) -> StoredRefusal | None:
        return self._refusal

    async def refuse(self, refusal: StoredRefusal) -> None:
        self._token, self._refusal = None, refusal


class FileTokenStore:
    """A JSON file readable by its owner only (0600), replaced atomically on every save so a
    crash never leaves half a token behind."""

    def __init__(self, path: Path) -> None:
        self.path = path

    async def load(self) -> StoredToken | None:
        try:
            return StoredToken.model_validate_json(self.path.read_bytes())
        except FileNotFoundError:
            return None
        except ValidationError:
            return None  # unreadable leftovers are as good as no token: log in again

    async def save(self, token: StoredToken) -> None:
        self.path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        descriptor, temporary = tempfile.mkstemp(dir=self.path.parent, prefix=".token-")
        try:
            with os.fdopen(descriptor, "w", encoding="utf-8") as file:  # mkstemp: mode 0600
                json.dump(token.model_dump(), file)
                file.flush()
                os.fsync(file.fileno())
            os.replace(temporary, self.path)
        except BaseException:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(temporary)
            raise

    async def clear(self) -> None:
        self.path.unlink(missing_ok=True)

    async def load_refusal(self) -> StoredRefusal | None:
        return None  # a file is for scripts: a refusal lasts for the process only

    async def refuse(self, refusal: StoredRefusal) -> None:
        await self.clear()
