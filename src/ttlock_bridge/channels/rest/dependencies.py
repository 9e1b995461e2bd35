"""What route handlers receive: the parts of the bridge the REST channel uses, and the
bearer-token check."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Request
from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from fastapi.security.utils import get_authorization_scheme_param

from ttlock_bridge.access import Access
from ttlock_bridge.bookings import BookingSync
from ttlock_bridge.clock import Clock
from ttlock_bridge.cloud import TTLockClient
from ttlock_bridge.config import Config
from ttlock_bridge.locks import Locks
from ttlock_bridge.operations.metrics import Metrics
from ttlock_bridge.operations.readiness import Readiness
from ttlock_bridge.operations.usage import CloudUsage
from ttlock_bridge.store import Store


@dataclass(frozen=True, slots=True)
class Bridge:
    """What the composition root hands the REST channel: the domain parts, never a channel.

    `cloud` serves the routes that pass a lock's own settings through (passcodes, passage
    mode, gateways); `store` the event pages; `bookings` the booking calendars (None when no
    `[bookings]` is configured).
    """

    config: Config
    access: Access
    locks: Locks
    cloud: TTLockClient
    store: Store
    readiness: Readiness
    usage: CloudUsage
    metrics: Metrics
    api_token: str
    clock: Clock
    bookings: BookingSync | None = None


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


def bridge(request: Request) -> Bridge:
    found: Bridge = request.app.state.bridge
    return found


BridgeDep = Annotated[Bridge, Depends(bridge)]


def require_token(
    current: BridgeDep,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> None:
    """Raise `NotAuthenticated` unless the request carries the bearer token (the request
    guard checked it already, before the body was read; this keeps it in the schema)."""
    offered = credentials.credentials if credentials else None
    if not _same_token(offered, current.api_token):
        raise NotAuthenticated


def token_matches(authorization: str | None, api_token: str) -> bool:
    """Whether an `Authorization` header value is `Bearer <api_token>` (scheme in any case)."""
    scheme, offered = get_authorization_scheme_param(authorization)
    return _same_token(offered if scheme.lower() == "bearer" else None, api_token)


def _same_token(offered: str | None, api_token: str) -> bool:
    """Constant-time comparison, so response timing reveals nothing about the token."""
    return secrets.compare_digest((offered or "").encode(), api_token.encode())
