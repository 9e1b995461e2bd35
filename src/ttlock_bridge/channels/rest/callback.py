"""`/ttlock/callback`: TTLock's push of lock records (reference §16). No bearer token (TTLock
cannot send one); optionally reachable only under a secret path segment instead.

Anything but `success` makes TTLock send the post again (reference §16), so a post the bridge
could not take now (the database refused, the lock's MAC cannot be confirmed) answers 503 and
is taken on a later try; a post it will never take answers 400 or 403.

The route is TTLock's interface, not the clients', so it stays out of the OpenAPI schema
(docs/rest-api.md describes it): its form carries a JSON array inside a string, which a
schema cannot describe well enough for clients or generated tests.
"""

from __future__ import annotations

import logging

from fastapi import APIRouter, Request
from fastapi.responses import PlainTextResponse, Response
from starlette.exceptions import HTTPException

from ttlock_bridge.channels.rest.dependencies import Bridge
from ttlock_bridge.channels.rest.errors import RETRY_AFTER_S, error_response
from ttlock_bridge.locks.callback import UnreadableCallback
from ttlock_bridge.locks.intake import CallbackDeferred, CallbackRefused

log = logging.getLogger("ttlock_bridge.rest")

CALLBACK_PATH = "/ttlock/callback"


def callback_router(secret: str | None) -> APIRouter:
    """The callback route, at `/ttlock/callback` or `/ttlock/callback/<secret>`."""
    router = APIRouter(tags=["callback"])
    path = CALLBACK_PATH if secret is None else f"{CALLBACK_PATH}/{secret}"

    @router.post(
        path,
        include_in_schema=False,
        response_class=PlainTextResponse,
    )
    async def receive(request: Request) -> Response:
        bridge: Bridge = request.app.state.bridge
        try:
            form = await request.form()
            fields = {key: value for key, value in form.items() if isinstance(value, str)}
            texts = [text for text in form.getlist("records") if isinstance(text, str)]
            if texts:  # several `records` fields: every one counts (a dict keeps the last)
                fields["records"] = texts[0]
            await bridge.locks.intake.receive(fields, more_records=texts[1:])
        except UnreadableCallback as error:
            return error_response(400, "unreadable_callback", str(error))
        except CallbackRefused as error:
            log.warning("event=callback_refused reason=%r", str(error))
            return error_response(403, "callback_refused", str(error))
        except CallbackDeferred as error:
            deferred = error_response(503, "callback_deferred", str(error), "TTLock sends it again")
            deferred.headers["Retry-After"] = str(RETRY_AFTER_S)
            return deferred
        except (ValueError, HTTPException) as error:  # a body the form parser cannot read
            return error_response(400, "unreadable_callback", f"cannot read the form: {error}")
        return PlainTextResponse("success")

    return router
