"""What route handlers receive: the runtime, and the bearer-token check."""

from __future__ import annotations

import secrets
from typing import Annotated

from fastapi import Depends, Request
from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from ttlock_bridge.service.runtime import Runtime

_bearer = HTTPBearer(auto_error=False, description="BRIDGE_API_TOKEN")


class NotAuthenticated(Exception):
    """No token, or not the right one (answered 401)."""


class UnknownQueryParameters(Exception):
    """The query names parameters the route does not have (a typo must not pass silently)."""

    def __init__(self, unknown: list[str], known: list[str]) -> None:
        self.known = known
        super().__init__(f"unknown query parameter(s): {', '.join(unknown)}")


def no_unknown_query_parameters(request: Request) -> None:
    route = request.scope.get("route")
    if not isinstance(route, APIRoute):
        return
    known = _query_names(route.dependant)
    unknown = sorted(set(request.query_params) - known)
    if unknown:
        raise UnknownQueryParameters(unknown, sorted(known))


def _query_names(dependant: Dependant) -> set[str]:
    """The route's query parameters, including those of its dependencies."""
    names = {param.alias for param in dependant.query_params}
    for sub in dependant.dependencies:
        names |= _query_names(sub)
    return names


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
