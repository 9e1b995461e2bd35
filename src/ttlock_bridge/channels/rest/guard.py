"""`RequestGuard`: what every request passes before the API reads a byte of its body.

FastAPI reads and parses a request's body before it runs the route's dependencies, so the
token check as a dependency comes too late to spare the bridge an anonymous 100 MB upload.
This ASGI middleware answers first:

1. `401` when the route needs the token (every route but the public ones: `/healthz`, the
   TTLock callback, the schema and its pages) and the request does not carry it (a path that
   matches no route is left to the app's 404: the schema that lists the paths is public);
2. `413` when the body is larger than `MAX_BODY_BYTES`, whether the request declares its
   length or streams it in chunks (read at most one byte past the limit).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Final

from fastapi import APIRouter
from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute
from starlette.datastructures import Headers
from starlette.routing import Match
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from ttlock_bridge.channels.rest.dependencies import require_token, token_matches
from ttlock_bridge.channels.rest.errors import error_response, unauthorized_response

MAX_BODY_BYTES: Final = 64 * 1024
"""The largest request body the bridge reads (64 KiB; a grant request is about 200 bytes)."""


class RequestGuard:
    """ASGI middleware: the token first for routes that need it, then the body size cap."""

    def __init__(
        self,
        app: ASGIApp,
        *,
        routers: Iterable[APIRouter],
        api_token: str,
        max_body_bytes: int = MAX_BODY_BYTES,
    ) -> None:
        self._app = app
        self._protected = [
            route
            for router in routers
            for route in router.routes
            if isinstance(route, APIRoute) and _depends_on_token(route.dependant)
        ]
        self._api_token = api_token
        self._max_body_bytes = max_body_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self._app(scope, receive, send)
            return
        headers = Headers(scope=scope)
        if self._route_needs_token(scope) and not token_matches(
            headers.get("authorization"), self._api_token
        ):
            await unauthorized_response()(scope, receive, send)
            return
        declared = headers.get("content-length", "")
        if declared.isdigit() and int(declared) > self._max_body_bytes:
            await self._too_large()(scope, receive, send)
            return
        body = await self._read_body(receive)
        if body is None:
            await self._too_large()(scope, receive, send)
            return
        await self._app(scope, _replay(body, receive), send)

    def _route_needs_token(self, scope: Scope) -> bool:
        """Whether the path is one of a protected route's (whatever the method)."""
        return any(route.matches(scope)[0] is not Match.NONE for route in self._protected)

    async def _read_body(self, receive: Receive) -> bytes | None:
        """The whole body, or None as soon as it grows past the cap."""
        chunks: list[bytes] = []
        size = 0
        while True:
            message = await receive()
            if message["type"] != "http.request":
                return b"".join(chunks)  # the client left; the app sees an empty body
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > self._max_body_bytes:
                return None
            chunks.append(chunk)
            if not message.get("more_body", False):
                return b"".join(chunks)

    def _too_large(self) -> ASGIApp:
        return error_response(
            413,
            "body_too_large",
            f"the request body is larger than {self._max_body_bytes} bytes",
            "send a smaller body: API requests are small JSON documents",
        )


def _depends_on_token(dependant: Dependant) -> bool:
    return any(
        sub.call is require_token or _depends_on_token(sub) for sub in dependant.dependencies
    )


def _replay(body: bytes, receive: Receive) -> Receive:
    """A `receive` that hands the app the body already read, then waits on the client."""
    sent = False

    async def replay() -> Message:
        nonlocal sent
        if sent:
            return await receive()
        sent = True
        return {"type": "http.request", "body": body, "more_body": False}

    return replay
