"""What the browser tests share: viewport sizes and signing in through the form (the
`browser` and `screenshots` fixtures are in conftest.py)."""

from __future__ import annotations

from typing import Final

from playwright.sync_api import Browser, Page, expect

from web.conftest import RunningConsole

TABLET: Final = {"width": 1024, "height": 768}
PHONE: Final = {"width": 390, "height": 844}


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
