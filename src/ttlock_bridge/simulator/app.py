"""Assembly of the simulator's ASGI app: TTLock routes, `/_sim/` routes, the simulated `Date`
header and fault injection (errcode, delay, HTTP error, dropped connection).
"""

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from email.utils import formatdate

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response
from starlette.routing import Route
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from ttlock_bridge.simulator.api import ROUTES, Simulation, read_params
from ttlock_bridge.simulator.callbacks import CallbackSender
from ttlock_bridge.simulator.control import control_routes
from ttlock_bridge.simulator.errors import ApiError
from ttlock_bridge.simulator.scenario import Scenario, default_scenario
from ttlock_bridge.simulator.state import SimulatedClock, World

DROP_CONNECTION = "ttlock_bridge.simulator.drop_connection"
"""Scope key set by a handler whose answer must be a closed connection instead of a response."""


class SimulatorApp(Starlette):
    """Starlette plus the one thing it cannot do: close the connection without answering."""

    world: World

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        await super().__call__(scope, receive, send)
        if scope.get(DROP_CONNECTION):
            await _close_connection(send)


async def _close_connection(send: Send) -> None:
    """Close the client's TCP connection under uvicorn (whose `send` is bound to its protocol
    cycle holding the transport), then yield so uvicorn sees the disconnect and sends nothing.
    """
    transport = getattr(getattr(send, "__self__", None), "transport", None)
    if transport is None:
        raise RuntimeError("dropping a connection needs the app to run under uvicorn")
    transport.close()
    for _ in range(3):
        await asyncio.sleep(0)


class _NoResponse(Response):
    """Marks the request so `SimulatorApp` drops its connection; sends nothing itself."""

    def __init__(self) -> None:
        super().__init__()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        scope[DROP_CONNECTION] = True


class SimulatedDateHeader:
    """Every response carries `Date` from the SIMULATED clock (clients derive clock skew)."""

    def __init__(self, app: ASGIApp, clock: SimulatedClock) -> None:
        self._app = app
        self._clock = clock

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self._app(scope, receive, send)
            return

        async def send_with_date(message: Message) -> None:
            if message["type"] == "http.response.start":
                date = formatdate(self._clock.now_ms() / 1000, usegmt=True).encode()
                message["headers"] = [*message.get("headers", []), (b"date", date)]
            await send(message)

        await self._app(scope, receive, send_with_date)


def _ttlock_endpoint(sim: Simulation) -> Route:
    """One catch-all route: count the call, apply a queued fault, dispatch by exact path."""

    async def endpoint(request: Request) -> Response:
        path: str = request.scope["path"]
        handler = ROUTES.get(path)
        if handler is None:
            return PlainTextResponse("Not Found", status_code=404)
        sim.world.count_call(path)
        fault = sim.world.take_fault(path)
        if fault is not None:
            if fault.delay_ms:
                await asyncio.sleep(fault.delay_ms / 1000)
            if fault.http_status is not None:
                return PlainTextResponse("Simulated server failure", status_code=fault.http_status)
            if fault.errcode is not None:
                return JSONResponse(ApiError(fault.errcode).body())
        try:
            body = await handler(sim, await read_params(request))
        except ApiError as error:
            body = error.body()
        if fault is not None and fault.drop_after_apply:
            return _NoResponse()
        return JSONResponse(body)

    return Route("/{path:path}", endpoint, methods=["GET", "POST"])


def create_app(scenario: Scenario | None = None, *, latency_ms: int | None = None) -> Starlette:
    """A fresh simulated TTLock cloud; `None` scenario = the built-in small hotel."""
    world = World(scenario or default_scenario(), latency_ms=latency_ms)
    callbacks = CallbackSender(world)
    sim = Simulation(world, callbacks)

    @asynccontextmanager
    async def lifespan(_app: Starlette) -> AsyncIterator[None]:
        yield
        await callbacks.aclose()

    app = SimulatorApp(
        routes=[*control_routes(sim), _ttlock_endpoint(sim)],
        middleware=[Middleware(SimulatedDateHeader, clock=world.clock)],
        lifespan=lifespan,
    )
    app.world = world
    return app
