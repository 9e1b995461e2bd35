"""`WebConsole`: the console as a channel: news subscriber, readiness, and its routes mounted
into the service's HTTP app by the composition root."""

from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.responses import RedirectResponse
from fastapi.staticfiles import StaticFiles
from starlette.responses import Response

from ttlock_bridge.access import GrantNews
from ttlock_bridge.channels.web import board, grant_page, issue, locks_page, problems, sign_in
from ttlock_bridge.channels.web.auth import Refused, SignInNeeded
from ttlock_bridge.channels.web.desk import Desk
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
        self.live = LiveNews(desk.rooms_of_door)
        self.pages = Pages(desk.config)

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
        """Mount the pages, the static files and the sign-in redirects on `app`."""
        app.state.desk = self.desk
        app.state.live = self.live
        app.state.pages = self.pages
        for router in ROUTERS:
            app.include_router(router)
        app.mount(STATIC_PATH, StaticFiles(directory=STATIC), name="console-static")
        app.add_exception_handler(SignInNeeded, self._sign_in_needed)
        app.add_exception_handler(Refused, self._refused)
        app.add_exception_handler(grant_page.NoSuchGrant, self._not_found)
        app.add_exception_handler(locks_page.NoSuchDoor, self._not_found)

    async def _sign_in_needed(self, request: Request, _error: Exception) -> Response:
        if request.method == "GET" and not request.url.path.startswith(("/fragments", "/live")):
            return RedirectResponse("/signin", status_code=303)
        return Response("sign in first", status_code=401, media_type="text/plain")

    async def _refused(self, request: Request, error: Exception) -> Response:
        return self.pages.render(request, "refused.html", reason=str(error), status_code=403)

    async def _not_found(self, request: Request, error: Exception) -> Response:
        return self.pages.render(request, "not_found.html", what=str(error), status_code=404)
