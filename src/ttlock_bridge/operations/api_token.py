"""The bridge's own API token: `BRIDGE_API_TOKEN`, else one generated once and kept in the
data directory (owner-only file), so restarts keep working clients working."""

from __future__ import annotations

import os
import secrets
from pathlib import Path

TOKEN_FILE_NAME = "api-token"  # noqa: S105 - a file name, not a secret
ENVIRONMENT_VARIABLE = "BRIDGE_API_TOKEN"


def api_token(data_dir: Path, environment: dict[str, str] | None = None) -> str:
    """The token callers must send as `Authorization: Bearer <token>`."""
    from_environment = (
        (os.environ if environment is None else environment).get(ENVIRONMENT_VARIABLE, "").strip()
    )
    if from_environment:
        return from_environment
    path = data_dir / TOKEN_FILE_NAME
    try:
        kept = path.read_text(encoding="utf-8").strip()
    except FileNotFoundError:
        kept = ""
    if kept:
        return kept
    token = secrets.token_urlsafe(32)
    data_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "w", encoding="utf-8") as file:
        file.write(token + "\n")
    return token
