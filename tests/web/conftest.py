"""The console on a real bridge (uvicorn, the demo hotel on the simulator), with two operator
accounts, a signed-in HTTP client per role, and a real browser.

The browser is Debian's chromium driven by Playwright for Python (Playwright's own browser
download cannot work on these machines; `make browser` installs chromium). Without chromium
the browser tests are skipped, except in CI (`CI=true`), where that is a failure. Screenshots
go to a temporary directory, or to `$CONSOLE_SCREENSHOTS` when set (the committed pictures of
docs/front-desk.md: `CONSOLE_SCREENSHOTS=docs/screenshots`).
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import httpx
import pytest
from playwright.sync_api import Browser, sync_playwright

from service.bridge import RunningBridge, StartBridge
from service.conftest import start_bridge
from ttlock_bridge.channels.web import WebConsole
from ttlock_bridge.service.demo import DEMO_TIMEZONE
from ttlock_bridge.store import OperatorRole

__all__ = ["start_bridge"]  # the bridge factory fixture of the service tests

DESK_NAME, DESK_PASSWORD = "anna", "anna's long desk password"
ADMIN_NAME, ADMIN_PASSWORD = "ola", "ola's long admin password"
CHROMIUM = Path("/usr/bin/chromium")
CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


@dataclass
class RunningConsole:
    """The bridge with its console at `url`; `web()` opens a cookie-keeping client."""

    bridge: RunningBridge
    clients: list[httpx.Client]

    @property
    def url(self) -> str:
        return self.bridge.url

    @property
    def console(self) -> WebConsole:
        console = self.bridge.runtime.console
        assert console is not None
        return console

    def web(self) -> httpx.Client:
        client = httpx.Client(base_url=self.url, follow_redirects=False, timeout=30)
        self.clients.append(client)
        return client

    def signed_in(self, name: str = DESK_NAME, password: str = DESK_PASSWORD) -> httpx.Client:
        client = self.web()
        answer = sign_in(client, name, password)
        assert answer.status_code == 303, answer.text
        return client


def today() -> date:
    """Today in the demo hotel's zone (the dates the console's forms speak)."""
    return datetime.now(ZoneInfo(DEMO_TIMEZONE)).date()


def csrf_of(page: str) -> str:
    found = CSRF.search(page)
    assert found is not None, "no csrf_token in the page"
    return found[1]


def sign_in(client: httpx.Client, name: str, password: str) -> httpx.Response:
    token = csrf_of(client.get("/signin").text)
    return client.post("/signin", data={"csrf_token": token, "name": name, "password": password})


@pytest.fixture
def console(request: pytest.FixtureRequest, start_bridge: StartBridge) -> Iterator[RunningConsole]:
    """The demo hotel's bridge with a desk account (anna) and an admin account (ola);
    `@pytest.mark.parametrize("console", [{...}], indirect=True)` sets `[console]` keys."""
    bridge = start_bridge(console=getattr(request, "param", None))
    running = RunningConsole(bridge, [])
    accounts = running.console.desk.accounts
    accounts.add(DESK_NAME, DESK_PASSWORD, OperatorRole.DESK)
    accounts.add(ADMIN_NAME, ADMIN_PASSWORD, OperatorRole.ADMIN)
    yield running
    for client in running.clients:
        client.close()


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    """Chromium for one test module: Playwright's sync API holds an event loop while it runs,
    which the asyncio tests of later modules must not meet."""
    if not CHROMIUM.exists():
        if os.environ.get("CI") == "true":
            pytest.fail("chromium is not installed: make browser")
        pytest.skip("chromium is not installed (make browser)")
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(
            executable_path=str(CHROMIUM), args=["--no-sandbox", "--disable-gpu"]
        )
        yield launched
        launched.close()


@pytest.fixture
def screenshots(tmp_path: Path) -> Path:
    where = os.environ.get("CONSOLE_SCREENSHOTS")
    folder = Path(where) if where else tmp_path
    folder.mkdir(parents=True, exist_ok=True)
    return folder
