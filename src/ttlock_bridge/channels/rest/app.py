"""`create_app(runtime)`: the bridge's HTTP API; its lifespan starts and stops the runtime."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import Depends, FastAPI

from ttlock_bridge import __version__
from ttlock_bridge.channels.rest import compat, grants, health, locks, maintenance
from ttlock_bridge.channels.rest.callback import callback_router
from ttlock_bridge.channels.rest.dependencies import no_unknown_query_parameters
from ttlock_bridge.channels.rest.errors import install_error_handlers
from ttlock_bridge.service.runtime import Runtime

DESCRIPTION = """\
The ttlock-bridge HTTP API: doors, remote commands, passcodes, rooms and guest grants, events
and TTLock usage. Every route except `/healthz` and `/ttlock/callback` needs
`Authorization: Bearer <BRIDGE_API_TOKEN>`. Doors are named as in the configuration
(`room-1`) or by their TTLock lockId. Errors are JSON `{error, detail, hint}`.
"""


def create_app(runtime: Runtime) -> FastAPI:
    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        await runtime.start()
        try:
            yield
        finally:
            await runtime.stop()

    app = FastAPI(
        title="ttlock-bridge",
        version=__version__,
        description=DESCRIPTION,
        lifespan=lifespan,
        dependencies=[Depends(no_unknown_query_parameters)],
    )
    app.state.runtime = runtime
    install_error_handlers(app)
    server = runtime.config.server
    for router in (
        health.router,
        callback_router(server.callback_secret),
        locks.router,
        grants.router,
        maintenance.router,
        # Last: `/{lockId}` must not shadow the routes above.
        compat.compat_router(get_unlock=server.compat_get_unlock),
    ):
        app.include_router(router)
    return app
