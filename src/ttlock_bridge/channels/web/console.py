"""`WebConsole`: the console as a channel: news subscriber, readiness, and its routes mounted
into the service's HTTP app by the composition root."""

from __future__ import annotations

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles
from starlette.routing import Route

from ttlock_bridge.access import GrantNews
from ttlock_bridge.channels.web import board, grant_page, issue, locks_page, problems, sign_in
from ttlock_bridge.channels.web.desk import Desk
from ttlock_bridge.channels.web.errors import ErrorPages
from ttlock_bridge.channels.web.live import LiveNews
from ttlock_bridge.channels.web.render import STATIC, STATIC_PATH, Pages
from ttlock_bridge.locks import LockNews
from ttlock_bridge.operations.readiness import ChannelStatus

ROUTERS = (
    sign_in.router,
    board.router,
    issue.router,
    grant_page.router,
    locks_page.router,
    problems.router,
)


class WebConsole:
    """The front-desk console over `desk`; `install(app)` adds its pages to the HTTP app."""

    name = "console"

    def __init__(self, desk: Desk) -> None:
        self.desk = desk
        self.live = LiveNews(desk.rooms_owning)
        self.pages = Pages(desk.config)
        self.errors = ErrorPages(desk, self.pages)

    async def start(self) -> None:
        """Nothing runs on its own: pages are served by the HTTP app."""

    async def stop(self) -> None:
        """Open streams end by themselves (`live.STREAM_SECONDS`)."""

    def status(self) -> ChannelStatus:
        return ChannelStatus(self.name, True, f"{self.live.listeners} live page(s)")

    async def publish(self, news: LockNews) -> None:
        await self.live.publish(news)

    async def grant_changed(self, news: GrantNews) -> None:
        await self.live.grant_changed(news)

    def install(self, app: FastAPI) -> None:
        """Mount the pages, the static files and the console's error pages on `app`."""
        app.state.desk = self.desk
        app.state.live = self.live
        app.state.pages = self.pages
        for router in ROUTERS:
            app.include_router(router)
        app.mount(STATIC_PATH, StaticFiles(directory=STATIC), name="console-static")
        endpoints = {
            route.endpoint
            for router in ROUTERS
            for route in router.routes
            if isinstance(route, Route)
        }
        self.errors.install(app, endpoints)
