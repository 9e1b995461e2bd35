"""`create_app(bridge, lifespan)`: the bridge's HTTP API.

The composition root hands in the parts the routes use and the lifespan that starts and stops
the whole service, so the API lives inside uvicorn's loop without knowing what else runs.
"""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractAsyncContextManager

from fastapi import Depends, FastAPI

from ttlock_bridge import __version__
from ttlock_bridge.channels.rest import bookings, compat, grants, health, locks, maintenance
from ttlock_bridge.channels.rest.callback import callback_router
from ttlock_bridge.channels.rest.dependencies import Bridge, no_unknown_query_parameters
from ttlock_bridge.channels.rest.errors import install_error_handlers
from ttlock_bridge.channels.rest.guard import RequestGuard

DESCRIPTION = """\
The ttlock-bridge HTTP API: doors, remote commands, passcodes, rooms and guest grants, events
and TTLock usage. Every route except `/healthz` and `/ttlock/callback` needs
`Authorization: Bearer <BRIDGE_API_TOKEN>`. Doors are named as in the configuration
(`room-1`) or by their TTLock lockId. Errors are JSON `{error, detail, hint}`.
"""


Lifespan = Callable[[FastAPI], AbstractAsyncContextManager[None]]


def create_app(bridge: Bridge, lifespan: Lifespan | None = None) -> FastAPI:
    app = FastAPI(
        title="ttlock-bridge",
        version=__version__,
        description=DESCRIPTION,
        lifespan=lifespan,
    )
    app.state.bridge = bridge
    install_error_handlers(app)
    server = bridge.config.server
    routers = (
        health.router,
        callback_router(server.callback_secret),
        locks.router,
        grants.router,
        maintenance.router,
        bookings.router,
        # Last: `/{lockId}` must not shadow the routes above.
        compat.compat_router(get_unlock=server.compat_get_unlock),
    )
    for router in routers:
        # The API's routes refuse a query parameter they do not have (a typo must not pass
        # silently); other channels' pages on the same app decide for themselves.
        app.include_router(router, dependencies=[Depends(no_unknown_query_parameters)])
    app.add_middleware(RequestGuard, routers=routers, api_token=bridge.api_token)
    return app
