"""What route handlers receive: the runtime, and the bearer-token check."""

from __future__ import annotations

import secrets
from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from ttlock_bridge.service.runtime import Runtime

_bearer = HTTPBearer(auto_error=False, description="BRIDGE_API_TOKEN")


class NotAuthenticated(Exception):
    """No token, or not the right one (answered 401)."""


def runtime(request: Request) -> Runtime:
    found: Runtime = request.app.state.runtime
    return found


RuntimeDep = Annotated[Runtime, Depends(runtime)]


def require_token(
    current: RuntimeDep,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> None:
    """Constant-time comparison, so response timing reveals nothing about the token."""
    offered = credentials.credentials.encode() if credentials else b""
    if not secrets.compare_digest(offered, current.api_token.encode()):
        raise NotAuthenticated
