"""The live board in a real browser (chromium): it says when it is not live, goes to sign in
when its session ended, and a lock's news on a shared door refreshes that door's facts, not
every room's card. Streams last a second here, so reconnects happen within a test."""

from __future__ import annotations

import re

from playwright.sync_api import Browser, Request, expect

from web.browser import LIVE_S, assert_not_reloaded, issue_current_stay, mark, signed_in_page
from web.conftest import DESK_NAME, DESK_PASSWORD, RunningConsole

MAIN_ENTRANCE_LOCK = 1_000_001


def short_streams(console: RunningConsole) -> None:
    console.console.live.stream_seconds = 1.0


def test_a_board_whose_session_ended_goes_to_sign_in(
    console: RunningConsole, browser: Browser
) -> None:
    short_streams(console)
    page = signed_in_page(browser, console, DESK_NAME, DESK_PASSWORD)
    page.goto("/locks")
    expect(page.locator("body[data-live-state=open]")).to_have_count(1)

    console.console.desk.accounts.set_password(DESK_NAME, "a brand new long password")

    expect(page).to_have_url(re.compile(r"/signin\?next=%2Flocks$"), timeout=LIVE_S)
    page.get_by_label("Name").fill(DESK_NAME)
    page.get_by_label("Password").fill("a brand new long password")
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", name="Locks")).to_be_visible()


def test_the_board_says_it_is_not_live_while_its_stream_is_down(
    console: RunningConsole, browser: Browser
) -> None:
    short_streams(console)
    page = signed_in_page(browser, console, DESK_NAME, DESK_PASSWORD)
    mark(page)
    banner = page.get_by_role("status")
    expect(banner).to_be_hidden()

    page.route("**/live", lambda route: route.abort())  # the server is away

    expect(banner).to_have_text("Not live — reconnecting…", timeout=LIVE_S)
    expect(banner).to_be_visible()
    page.unroute("**/live")
    expect(page.locator("body[data-live-state=open]")).to_have_count(1, timeout=LIVE_S)
    expect(banner).to_be_hidden()
    assert_not_reloaded(page)


def test_a_keypad_use_at_the_main_entrance_refreshes_one_card_and_the_doors_facts(
    console: RunningConsole, browser: Browser
) -> None:
    page = signed_in_page(browser, console, DESK_NAME, DESK_PASSWORD)
    issue_current_stay(page, "room-2", "Noether", code="582714")
    page.goto("/")
    expect(page.locator("body[data-live-state=open]")).to_have_count(1)
    cards = page.locator("article[data-room]")
    rooms = cards.evaluate_all("cards => cards.map((card) => card.dataset.room)")
    assert len(rooms) > 2
    cards.evaluate_all("cards => cards.forEach((card) => { card.__notRefreshed = true; })")
    fetched: list[str] = []
    page.on("request", lambda request: record_fragment(request, fetched))

    typed = console.bridge.simulator.control(
        f"locks/{MAIN_ENTRANCE_LOCK}/keypad", {"code": "582714"}
    )
    assert typed["opened"]

    room_2 = page.locator('article[data-room="room-2"]')
    expect(room_2.locator(".state")).to_have_text("in house", timeout=LIVE_S)
    page.wait_for_timeout(1000)  # anything else the page would fetch
    assert set(fetched) <= {"/fragments/doors/main-entrance/facts", "/fragments/rooms/room-2"}
    assert "/fragments/doors/main-entrance/facts" in fetched
    still = cards.evaluate_all(
        "cards => cards.filter((card) => card.__notRefreshed).map((card) => card.dataset.room)"
    )
    assert still == [room for room in rooms if room != "room-2"]


def record_fragment(request: Request, fetched: list[str]) -> None:
    path = re.sub(r"^https?://[^/]+", "", request.url)
    if path.startswith("/fragments/"):
        fetched.append(path)
