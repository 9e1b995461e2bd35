"""What the browser tests share: viewport sizes, signing in and issuing through the forms, and
the marker that tells a page was never reloaded (the `browser` and `screenshots` fixtures are
in conftest.py)."""

from __future__ import annotations

from typing import Final

from playwright.sync_api import Browser, Locator, Page, expect

from web.conftest import RunningConsole

TABLET: Final = {"width": 1024, "height": 768}
PHONE: Final = {"width": 390, "height": 844}
LIVE_S: Final = 15_000  # ms a live change may take on a loaded machine


def slow_gateway(console: RunningConsole) -> None:
    console.bridge.simulator.control("settings", {"latency_ms": 1000})


def mark(page: Page) -> None:
    """Leave a marker a reload would wipe."""
    page.evaluate("window.__notReloaded = true")
    expect(page.locator("body[data-live-state=open]")).to_have_count(1)


def assert_not_reloaded(page: Page) -> None:
    assert page.evaluate("window.__notReloaded === true")


def chip(page: Page, scope: str, door: str) -> Locator:
    return page.locator(f"{scope} li[data-door={door}]")


def issue(page: Page, room: str, name: str, code: str = "", arrival_time: str = "") -> None:
    """Fill in and send the issue form (arrival today at check-in unless a time is given)."""
    page.goto(f"/issue?room={room}")
    if arrival_time:
        page.get_by_label("Arrival time (24 h)").fill(arrival_time)
    page.get_by_label("Guest name").fill(name)
    if code:
        page.get_by_label("Code").fill(code)
    page.get_by_role("button", name="Issue the code").click()


def issue_current_stay(page: Page, room: str, name: str, code: str) -> None:
    """Issue a stay valid from midnight today (its code works now) and wait until every door
    of it holds the code."""
    issue(page, room, name, code=code, arrival_time="00:00")
    expect(page.locator("[data-grant-doors] li.active")).to_have_count(2, timeout=LIVE_S)


def signed_in_page(
    browser: Browser,
    console: RunningConsole,
    name: str,
    password: str,
    viewport: dict[str, int] = TABLET,
) -> Page:
    """A new browser context (its own cookies) signed in through the sign-in form."""
    context = browser.new_context(viewport=viewport, base_url=console.url)  # type: ignore[arg-type]
    context.set_default_timeout(15_000)
    page = context.new_page()
    page.goto("/signin")
    page.get_by_label("Name").fill(name)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", name="Board")).to_be_visible()
    return page
