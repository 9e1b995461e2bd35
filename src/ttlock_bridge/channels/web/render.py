"""Rendering pages: the Jinja2 environment (autoescaped), the filters templates use for times
(24 h clock, the property's zone) and codes, and the headers every console answer carries."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any, Final

from fastapi import Depends, Request
from fastapi.responses import HTMLResponse, StreamingResponse
from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

from ttlock_bridge.access.time_window import format_local
from ttlock_bridge.cloud import mask_code
from ttlock_bridge.config import Config
from ttlock_bridge.operations.sessions import SignedIn

TEMPLATES: Final = Path(__file__).parent / "templates"
STATIC: Final = Path(__file__).parent / "static"
STATIC_PATH: Final = "/console-static"

SECURITY_HEADERS: Final = {
    # Scripts and styles come only from the console's own static files: no inline script.
    "Content-Security-Policy": (
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
        "connect-src 'self'; frame-ancestors 'none'; form-action 'self'; base-uri 'none'"
    ),
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    # Pages can hold a guest's code: never kept by a browser cache or a proxy.
    "Cache-Control": "no-store",
}


class Pages:
    """Renders the console's templates with the property's zone and name."""

    def __init__(self, config: Config) -> None:
        self._environment = _environment(config, streaming=False)
        self._streaming = _environment(config, streaming=True)

    def render(
        self,
        request: Request,
        template: str,
        *,
        operator: SignedIn | None = None,
        status_code: int = 200,
        **context: Any,
    ) -> HTMLResponse:
        """The template as a page (or fragment) with the security headers."""
        text = self._environment.get_template(template).render(
            request=request, operator=operator, path=request.url.path, **context
        )
        return HTMLResponse(text, status_code=status_code, headers=SECURITY_HEADERS)

    def stream(
        self, request: Request, template: str, *, operator: SignedIn, **context: Any
    ) -> StreamingResponse:
        """The page sent as it renders: what comes before the first slow part (an async
        function the template calls, e.g. the store read of the board) reaches the browser
        at once, so it fetches the style and script meanwhile. Always 200."""
        chunks = self._streaming.get_template(template).generate_async(
            request=request, operator=operator, path=request.url.path, **context
        )
        return StreamingResponse(chunks, media_type="text/html", headers=SECURITY_HEADERS)


def _environment(config: Config, *, streaming: bool) -> Environment:
    """Autoescaped templates with the filters `local` (UTC ms -> property time, 24 h) and
    `masked` (a code's last two digits); `streaming` renders asynchronously, chunk by chunk."""
    zone = config.property.zone
    environment = Environment(
        loader=FileSystemLoader(TEMPLATES),
        autoescape=select_autoescape(["html"]),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        enable_async=streaming,
    )
    environment.filters["local"] = lambda ms: format_local(ms, zone) if ms else ""
    environment.filters["masked"] = mask_code
    environment.globals.update(
        property_name=config.property.name,
        zone_name=config.property.timezone,
        static=STATIC_PATH,
        unlock_allowed=config.console.unlock,
    )
    return environment


@dataclass(frozen=True, slots=True)
class Screen:
    """Rendering for one request by the signed-in operator."""

    request: Request
    pages: Pages
    operator: SignedIn

    def show(self, template: str, *, status_code: int = 200, **context: Any) -> HTMLResponse:
        return self.pages.render(
            self.request, template, operator=self.operator, status_code=status_code, **context
        )

    def stream(self, template: str, **context: Any) -> StreamingResponse:
        return self.pages.stream(self.request, template, operator=self.operator, **context)


def pages(request: Request) -> Pages:
    found: Pages = request.app.state.pages
    return found


PagesDep = Annotated[Pages, Depends(pages)]
