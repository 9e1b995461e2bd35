"""Every failure as JSON `{error, detail, hint}` with the right status: 4xx for the caller's
mistakes, 502/503 for TTLock or gateway trouble (with TTLock's errcode), never 500 for input.
"""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from starlette.exceptions import HTTPException as StarletteHTTPException

from ttlock_bridge.access.errors import (
    AccessError,
    CodeClash,
    GrantClosed,
    GrantNotFound,
    InvalidInput,
    OfflineCodeChosen,
    OfflineCodeFixed,
    UnknownDoor,
    UnknownRoom,
)
from ttlock_bridge.access.passcode_policy import CodeRejected
from ttlock_bridge.access.reconciler import PASSCODE_NOT_FOUND
from ttlock_bridge.access.time_window import TimeInputError
from ttlock_bridge.channels.rest.dependencies import NotAuthenticated, UnknownQueryParameters
from ttlock_bridge.cloud import (
    AuthError,
    PasscodeError,
    QuotaError,
    TTLockError,
)
from ttlock_bridge.locks.directory import DoorNotFound
from ttlock_bridge.store import STORE_UNAVAILABLE, unavailable_reason

log = logging.getLogger("ttlock_bridge.rest")


class ErrorBody(BaseModel):
    """What went wrong (`error`, a stable word), in words (`detail`), and what to do (`hint`).
    `errcode` is TTLock's when the cloud refused."""

    error: str
    detail: str
    hint: str | None = None
    errcode: int | None = None


class BudgetSpent(Exception):
    """`?refresh=true` while the month's TTLock call budget is spent (answered 429)."""


class RoomNotFound(LookupError):
    def __init__(self, room: str) -> None:
        super().__init__(f"no room named {room!r} in the configuration")


ERROR_RESPONSES: dict[int | str, dict[str, Any]] = {
    status: {"model": ErrorBody, "description": description}
    for status, description in (
        (400, "The request body is not readable JSON"),
        (401, "Missing or wrong bearer token"),
        (404, "No such door, room, grant or passcode"),
        (409, "Conflicts with the current state (code already in use, grant cancelled)"),
        (413, "The request body is larger than 64 KiB"),
        (422, "The request is not valid; `hint` says how to fix it"),
        (429, "`?refresh=true` while the month's TTLock call budget is spent"),
        (502, "TTLock, the gateway or the lock failed; `errcode` and `hint` say why"),
        (
            503,
            "TTLock or the database cannot serve now (re-authentication needed, quota used "
            "up, database locked or read-only); `Retry-After` when worth retrying soon",
        ),
    )
}

_ROOMS_HINT = "GET /api/v1/rooms lists the rooms and their doors"

RETRY_AFTER_S = 5
"""The `Retry-After` (seconds) of a 503 worth retrying soon: the database cannot serve now, a
callback was deferred."""


def install_error_handlers(app: FastAPI) -> None:
    app.add_exception_handler(NotAuthenticated, _not_authenticated)
    app.add_exception_handler(RequestValidationError, _invalid_request)
    app.add_exception_handler(UnknownQueryParameters, _unknown_query)
    app.add_exception_handler(StarletteHTTPException, _http_error)
    app.add_exception_handler(DoorNotFound, _not_found("unknown_door", _ROOMS_HINT))
    app.add_exception_handler(RoomNotFound, _not_found("unknown_room", _ROOMS_HINT))
    app.add_exception_handler(GrantNotFound, _not_found("unknown_grant", "GET /api/v1/grants"))
    app.add_exception_handler(AccessError, _access_error)
    app.add_exception_handler(TTLockError, _cloud_error)
    app.add_exception_handler(BudgetSpent, _budget_spent)
    for unavailable in STORE_UNAVAILABLE:
        app.add_exception_handler(unavailable, _store_unavailable)


def error_response(
    status: int, error: str, detail: str, hint: str | None = None, errcode: int | None = None
) -> JSONResponse:
    body = ErrorBody(error=error, detail=detail, hint=hint, errcode=errcode)
    return JSONResponse(body.model_dump(), status_code=status)


async def _store_unavailable(request: Request, error: Exception) -> JSONResponse:
    """503 with `Retry-After`: the database refused (locked by another process, read-only)."""
    reason = unavailable_reason(error)
    log.warning("event=store_unavailable path=%s reason=%r", request.url.path, reason)
    response = error_response(
        503,
        "store_unavailable",
        f"the database cannot take this now: {reason}",
        f"retry in {RETRY_AFTER_S} s; GET /readyz shows when the store is back",
    )
    response.headers["Retry-After"] = str(RETRY_AFTER_S)
    return response


async def _budget_spent(_request: Request, _error: Exception) -> JSONResponse:
    return error_response(
        429,
        "budget_spent",
        "this month's TTLock call budget is spent: reads come from the cache until the 1st "
        "(Beijing time)",
        "drop ?refresh=true to get the cached answer; GET /api/v1/usage shows the budget",
    )


def unauthorized_response() -> JSONResponse:
    """401 with `WWW-Authenticate: Bearer`: no token, or not the right one."""
    response = error_response(
        401,
        "unauthorized",
        "missing or wrong bearer token",
        "send the header 'Authorization: Bearer <BRIDGE_API_TOKEN>'",
    )
    response.headers["WWW-Authenticate"] = "Bearer"
    return response


async def _not_authenticated(_request: Request, _error: Exception) -> JSONResponse:
    return unauthorized_response()


async def _invalid_request(_request: Request, error: Exception) -> JSONResponse:
    assert isinstance(error, RequestValidationError)  # noqa: S101 - registered for this type
    if any(issue["type"] == "json_invalid" for issue in error.errors()):
        return error_response(
            400, "unreadable_body", "the request body is not readable JSON", "send a JSON object"
        )
    problems = "; ".join(
        f"{'.'.join(str(part) for part in issue['loc'])}: {issue['msg']}"
        for issue in error.errors()
    )
    return error_response(422, "invalid_request", problems, "see /docs for the request schema")


async def _unknown_query(_request: Request, error: Exception) -> JSONResponse:
    assert isinstance(error, UnknownQueryParameters)  # noqa: S101 - registered for this type
    allowed = ", ".join(error.known) or "none"
    return error_response(422, "invalid_request", str(error), f"allowed here: {allowed}")


async def _http_error(_request: Request, error: Exception) -> JSONResponse:
    assert isinstance(error, StarletteHTTPException)  # noqa: S101 - registered for this type
    words = {400: "unreadable_body", 404: "not_found", 405: "method_not_allowed"}
    return error_response(
        error.status_code, words.get(error.status_code, "http_error"), str(error.detail)
    )


def _not_found(word: str, hint: str) -> Any:
    async def handler(_request: Request, error: Exception) -> JSONResponse:
        return error_response(404, word, str(error), hint)

    return handler


async def _access_error(request: Request, error: Exception) -> JSONResponse:
    if isinstance(error, CodeClash | GrantClosed):
        return error_response(409, "conflict", str(error), _hint_for(request, error))
    if isinstance(error, InvalidInput):
        return error_response(422, "invalid_input", str(error), _hint_for(request, error))
    return error_response(409, "conflict", str(error))


def _hint_for(request: Request, error: Exception) -> str | None:
    if isinstance(error, TimeInputError):
        zone = request.app.state.bridge.config.property.timezone
        return (
            f"times are property-local ({zone}): a date (2026-11-23, check-in/out time applies),"
            " a local time (2026-11-23T15:00) or ISO 8601 with an offset"
        )
    if isinstance(error, CodeRejected | CodeClash):
        return "leave `code` out to have a safe code generated"
    if isinstance(error, UnknownRoom | UnknownDoor):
        return _ROOMS_HINT
    if isinstance(error, OfflineCodeChosen):
        return "leave `code` out: TTLock computes each offline door's code"
    if isinstance(error, OfflineCodeFixed):
        return "DELETE the grant and POST a new one for the new dates (docs/grants.md)"
    return None


async def _cloud_error(request: Request, error: Exception) -> JSONResponse:
    assert isinstance(error, TTLockError)  # noqa: S101 - registered for this type
    request.app.state.bridge.metrics.cloud_calls.count_error(error.errcode)
    log.info("event=cloud_error path=%s errcode=%s", request.url.path, error.errcode)
    if isinstance(error, AuthError | QuotaError):
        status, word = 503, "cloud_unavailable"
    elif error.errcode == PASSCODE_NOT_FOUND:
        status, word = 404, "unknown_passcode"
    elif isinstance(error, PasscodeError):
        status, word = 409, "passcode_refused"
    else:
        status, word = 502, "cloud_failed"
    return error_response(status, word, error.message, error.guidance, error.errcode)
