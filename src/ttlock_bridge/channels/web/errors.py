"""The console's answers when something goes wrong, as pages in its layout: sign in first (a
redirect that comes back to the page, or 401 for fragments, the live stream and forms), not
allowed (403), not found (404), and the HTTP app's own refusals on the console's paths (no such
page, a path or query that is not valid, a method a page does not take).

The console shares the HTTP app with the REST API, whose handlers answer JSON. The console's
handlers answer for the console's own routes, and for a path that matches no route when the
client asks for HTML (a browser: `Accept: text/html`); any other request keeps the API's
handlers and their JSON answers, so the API's clients see no difference.
"""

from __future__ import annotations

import inspect
from collections.abc import Awaitable, Callable
from http import HTTPStatus
from typing import Any
from urllib.parse import quote

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import RedirectResponse
from starlette.exceptions import HTTPException
from starlette.responses import Response

from ttlock_bridge.channels.web.auth import SESSION_COOKIE, Refused, SignInNeeded
from ttlock_bridge.channels.web.desk import Desk
from ttlock_bridge.channels.web.render import Pages

Handler = Callable[[Request, Any], Response | Awaitable[Response]]


class NotFound(Exception):
    """Nothing the console knows has this name: a grant or door (answered 404 with the text)."""


class ErrorPages:
    """The handlers; `install` registers them on the app the console's routes are on."""

    def __init__(self, desk: Desk, pages: Pages) -> None:
        self._desk = desk
        self._pages = pages
        self._endpoints: set[Callable[..., Any]] = set()
        self._previous: dict[type[Exception], Handler] = {}

    def install(self, app: FastAPI, endpoints: set[Callable[..., Any]]) -> None:
        """`endpoints`: the functions of the console's routes (what is the console's)."""
        self._endpoints = endpoints
        for kind in (HTTPException, RequestValidationError):
            self._previous[kind] = app.exception_handlers[kind]
        app.add_exception_handler(SignInNeeded, self._sign_in_needed)
        app.add_exception_handler(Refused, self._refused)
        app.add_exception_handler(NotFound, self._not_found)
        app.add_exception_handler(HTTPException, self._http_error)
        app.add_exception_handler(RequestValidationError, self._invalid)

    async def _sign_in_needed(self, request: Request, _error: Exception) -> Response:
        url = request.url
        if request.method == "GET" and not url.path.startswith(("/fragments", "/live")):
            asked = f"{url.path}?{url.query}" if url.query else url.path
            where = "/signin" if asked == "/" else f"/signin?next={quote(asked, safe='')}"
            return RedirectResponse(where, status_code=303)
        return Response("sign in first", status_code=401, media_type="text/plain")

    async def _refused(self, request: Request, error: Exception) -> Response:
        return await self._page(request, 403, "Not allowed", str(error))

    async def _not_found(self, request: Request, error: Exception) -> Response:
        return await self._page(request, 404, "Not found", str(error))

    async def _http_error(self, request: Request, error: Exception) -> Response:
        assert isinstance(error, HTTPException)  # noqa: S101 - registered for this type
        if not self._ours(request):
            return await _answer(self._previous[HTTPException], request, error)
        if error.status_code == 404:
            return await self._nothing_at(request)
        phrase = HTTPStatus(error.status_code).phrase
        message = f"{phrase}: {request.method} {request.url.path} does not work here."
        return await self._page(request, error.status_code, phrase, message)

    async def _invalid(self, request: Request, error: Exception) -> Response:
        assert isinstance(error, RequestValidationError)  # noqa: S101 - registered for this type
        if not self._ours(request):
            return await _answer(self._previous[RequestValidationError], request, error)
        issues = error.errors()
        if any(issue["loc"][0] == "path" for issue in issues):
            return await self._nothing_at(request)
        words = "; ".join(f"{issue['loc'][-1]}: {issue['msg']}" for issue in issues)
        return await self._page(request, 422, "This address is not right", words)

    async def _nothing_at(self, request: Request) -> Response:
        return await self._page(request, 404, "Not found", f"There is no page {request.url.path}.")

    def _ours(self, request: Request) -> bool:
        """Whether the request is the console's: one of its routes, or a path that matches no
        route asked for by a browser."""
        route = request.scope.get("route")
        if route is not None:
            return getattr(route, "endpoint", None) in self._endpoints
        return "text/html" in request.headers.get("accept", "")

    async def _page(self, request: Request, status_code: int, title: str, message: str) -> Response:
        """The problem page, with the navigation when the browser is signed in."""
        token = request.cookies.get(SESSION_COOKIE)
        operator = await self._desk.run(self._desk.sessions.find, token) if token else None
        return self._pages.render(
            request,
            "problem.html",
            operator=operator,
            title=title,
            message=message,
            status_code=status_code,
        )


async def _answer(handler: Handler, request: Request, error: Exception) -> Response:
    """What another channel's handler answers (Starlette allows plain and async handlers)."""
    answer = handler(request, error)
    return await answer if inspect.isawaitable(answer) else answer
