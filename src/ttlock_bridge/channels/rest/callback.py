"""`/ttlock/callback`: TTLock's push of lock records (reference §16). No bearer token (TTLock
cannot send one); optionally reachable only under a secret path segment instead."""

from __future__ import annotations

import logging

from fastapi import APIRouter, Request
from fastapi.responses import PlainTextResponse, Response
from starlette.exceptions import HTTPException

from ttlock_bridge.channels.rest.errors import ErrorBody, error_response
from ttlock_bridge.service.callback import UnreadableCallback
from ttlock_bridge.service.events import CallbackRefused
from ttlock_bridge.service.runtime import Runtime

log = logging.getLogger("ttlock_bridge.rest")

CALLBACK_PATH = "/ttlock/callback"


def callback_router(secret: str | None) -> APIRouter:
    """The callback route; under a secret path segment it stays out of the public schema."""
    router = APIRouter(tags=["callback"])
    path = CALLBACK_PATH if secret is None else f"{CALLBACK_PATH}/{secret}"

    @router.post(
        path,
        include_in_schema=secret is None,
        summary="TTLock pushes lock records here (form POST); answers 'success'",
        response_class=PlainTextResponse,
        responses={
            200: {"content": {"text/plain": {"example": "success"}}},
            400: {"model": ErrorBody, "description": "Not a TTLock callback"},
            403: {"model": ErrorBody, "description": "About a lock that is not configured here"},
        },
    )
    async def receive(request: Request) -> Response:
        runtime: Runtime = request.app.state.runtime
        try:
            form = await request.form()
            fields = {key: value for key, value in form.items() if isinstance(value, str)}
            await runtime.intake.receive(fields)
        except UnreadableCallback as error:
            return error_response(400, "unreadable_callback", str(error))
        except CallbackRefused as error:
            log.warning("event=callback_refused reason=%r", str(error))
            return error_response(403, "callback_refused", str(error))
        except (ValueError, HTTPException) as error:  # a body the form parser cannot read
            return error_response(400, "unreadable_callback", f"cannot read the form: {error}")
        return PlainTextResponse("success")

    return router
