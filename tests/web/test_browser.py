"""The front desk in a real browser (chromium), on the simulator with 1 s gateway latency:
the issue's end-to-end scenarios and refusals. Updates are checked on pages that are never
reloaded: a marker set in the page before must still be there after."""

from __future__ import annotations

import re
import time
from pathlib import Path

from playwright.sync_api import Browser, expect

from web.browser import (
    LIVE_S,
    PHONE,
    TABLET,
    assert_not_reloaded,
    chip,
    issue,
    issue_current_stay,
    mark,
    signed_in_page,
    slow_gateway,
)
from web.conftest import (
    ADMIN_NAME,
    ADMIN_PASSWORD,
    DESK_NAME,
    DESK_PASSWORD,
    RunningConsole,
)

GATEWAY = "500001"  # the demo hotel's one gateway
ROOM_2_LOCK = 1_000_003


def test_issue_for_room_2_and_watch_both_doors_turn_active_on_the_board(
    console: RunningConsole, browser: Browser
) -> None:
    slow_gateway(console)
    board = signed_in_page(browser, console, DESK_NAME, DESK_PASSWORD)
    mark(board)
    desk = board.context.new_page()

    issue(desk, "room-2", "Hopper", code="246813")

    expect(desk.locator("#issued-code")).to_have_text("246813")
    card = '[data-room="room-2"]'
    for door in ("room-2", "main-entrance"):
        expect(chip(board, card, door)).to_have_class(re.compile(r"\bactive\b"), timeout=LIVE_S)
    expect(board.locator(card)).to_contain_text("Hopper")
    expect(board.locator(card)).to_contain_text("****13")
    assert_not_reloaded(board)


def test_modify_the_dates_then_cancel(console: RunningConsole, browser: Browser) -> None:
    page = signed_in_page(browser, console, DESK_NAME, DESK_PASSWORD)
    issue(page, "room-1", "Turing")
    page.get_by_role("link", name="Grant page").click()

    departure = page.get_by_label("Departure date")
    new_end = departure.input_value()[:8] + "28"
    departure.fill(new_end)
    page.get_by_label("Departure time (24 h)").fill("10:00")
    page.get_by_role("button", name="Save the changes").click()
    expect(page.locator("p.dates")).to_contain_text(f"{new_end} 10:00")
    expect(page.locator("table")).to_contain_text("modified: departure")

    page.get_by_role("link", name="Cancel this grant…").click()
    page.get_by_role("button", name="Yes, cancel the grant").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("cancelled")
    expect(page.locator("table")).to_contain_text("cancelled")
    assert console.bridge.api.get("/api/v1/grants/1").json()["state"] == "cancelled"


def test_gateway_offline_shows_pending_with_the_reason_then_active_without_a_reload(
    console: RunningConsole, browser: Browser
) -> None:
    slow_gateway(console)
    console.bridge.simulator.control(f"gateways/{GATEWAY}", {"online": False})
    page = signed_in_page(browser, console, DESK_NAME, DESK_PASSWORD)

    issue(page, "room-3", "Lamarr")
    result = page.locator("[data-grant-doors]")
    expect(result.locator("li[data-door=room-3]")).to_have_class(re.compile(r"\bpending\b"))
    expect(result.locator("li[data-door=room-3] .reason")).not_to_be_empty()
    expect(result.locator("li[data-door=room-3] .next")).to_contain_text("next try")
    mark(page)

    console.bridge.simulator.control(f"gateways/{GATEWAY}", {"online": True})
    other = page.context.new_page()
    other.goto("/grants/1")
    other.get_by_role("button", name="Try the waiting doors now").click()

    for door in ("room-3", "main-entrance"):
        expect(result.locator(f"li[data-door={door}]")).to_have_class(
            re.compile(r"\bactive\b"), timeout=LIVE_S
        )
    assert_not_reloaded(page)


def test_a_keypad_use_of_the_code_shows_on_the_grant_page(
    console: RunningConsole, browser: Browser
) -> None:
    page = signed_in_page(browser, console, DESK_NAME, DESK_PASSWORD)
    issue_current_stay(page, "room-2", "Noether", code="582714")

    typed = console.bridge.simulator.control(f"locks/{ROOM_2_LOCK}/keypad", {"code": "582714"})
    assert typed["opened"]

    deadline = time.monotonic() + LIVE_S / 1000
    page.goto("/grants/1")
    while "guest" not in page.locator("table").inner_text():  # the callback comes when it comes
        assert time.monotonic() < deadline, "the keypad use never showed on the grant page"
        page.wait_for_timeout(300)
        page.reload()
    expect(page.locator("table")).to_contain_text("****14")


def test_the_cancel_link_looks_dangerous_and_each_reveal_button_says_whose_code(
    console: RunningConsole, browser: Browser
) -> None:
    page = signed_in_page(browser, console, DESK_NAME, DESK_PASSWORD)
    issue(page, "room-2", "Hopper", arrival_time="00:00")
    issue(page, "room-3", "Lamarr", arrival_time="00:00")

    page.goto("/")
    for name in ("Reveal code of Hopper in room-2", "Reveal code of Lamarr in room-3"):
        expect(page.get_by_role("button", name=name, exact=True)).to_have_count(1)
    page.goto("/grants/1")
    expect(page.get_by_role("button", name="Reveal code of Hopper in room-2")).to_have_count(1)
    cancel = page.get_by_role("link", name="Cancel this grant…")
    save = page.get_by_role("button", name="Save the changes")
    colour = "(element) => getComputedStyle(element).backgroundColor"
    assert cancel.evaluate(colour) == "rgb(163, 0, 0)"  # --bad, not the primary blue
    assert save.evaluate(colour) != cancel.evaluate(colour)


def test_a_door_without_gateway_gets_its_own_code_on_the_page_chips_and_printed_card(
    console: RunningConsole, browser: Browser
) -> None:
    console.bridge.simulator.control(f"locks/{ROOM_2_LOCK}", {"gateway": None})  # offline code
    page = signed_in_page(browser, console, DESK_NAME, DESK_PASSWORD)

    issue(page, "room-2", "Meitner", code="246813")

    expect(page.locator("#issued-code-main-entrance")).to_have_text("246813")
    offline = page.locator("#issued-code-room-2").inner_text()
    assert offline.isdigit()
    assert offline != "246813"
    room = chip(page, "[data-grant-doors]", "room-2")
    expect(room.locator(".kind")).to_have_text("offline")
    expect(room.locator(".masked")).to_have_text(f"{'*' * (len(offline) - 2)}{offline[-2:]}")
    expect(room.locator(".window")).to_contain_text("use once before")

    page.emulate_media(media="print")
    card = page.get_by_role("region", name="Guest card")
    expect(card).to_be_visible()
    expect(card).to_contain_text(offline)
    expect(card).to_contain_text("246813")
    expect(card.locator(".use-by")).to_contain_text("Use the code of room-2 once before")
    expect(page.locator(".screen-only")).to_be_hidden()


def test_wrong_password_then_throttle_in_the_browser(
    console: RunningConsole, browser: Browser
) -> None:
    page = browser.new_page(base_url=console.url)
    for _ in range(5):
        page.goto("/signin")
        page.get_by_label("Name").fill(DESK_NAME)
        page.get_by_label("Password").fill("not my password at all")
        page.get_by_role("button", name="Sign in").click()
        expect(page.get_by_role("alert")).to_have_text("Wrong name or password.")
    page.get_by_label("Name").fill(DESK_NAME)
    page.get_by_label("Password").fill(DESK_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("alert")).to_contain_text("Too many failed sign-ins")
    page.close()


def test_after_sign_out_the_board_asks_to_sign_in(
    console: RunningConsole, browser: Browser
) -> None:
    page = signed_in_page(browser, console, DESK_NAME, DESK_PASSWORD)
    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_role("heading", name="Sign in")).to_be_visible()
    page.goto("/")
    expect(page).to_have_url(re.compile(r"/signin$"))


def test_the_keyboard_reaches_every_control_with_a_visible_focus(
    console: RunningConsole, browser: Browser
) -> None:
    page = signed_in_page(browser, console, DESK_NAME, DESK_PASSWORD)
    page.goto("/issue")
    page.keyboard.press("Tab")
    expect(page.locator(".skip")).to_be_focused()
    outline = page.evaluate("getComputedStyle(document.activeElement).outlineStyle")
    assert outline == "solid"
    for label in ("Room", "Arrival date", "Guest name", "Code"):
        page.get_by_label(label, exact=True).focus()
        expect(page.get_by_label(label, exact=True)).to_be_focused()


def test_screenshots_of_each_page_at_tablet_and_phone_size(
    console: RunningConsole, browser: Browser, screenshots: Path
) -> None:
    """The pictures of docs/front-desk.md (see conftest: CONSOLE_SCREENSHOTS)."""
    setup = signed_in_page(browser, console, ADMIN_NAME, ADMIN_PASSWORD)
    issue(setup, "room-1", "Ada Lovelace", code="318642")
    expect(setup.locator("[data-grant-doors] li.active")).to_have_count(2, timeout=LIVE_S)
    console.bridge.simulator.control(f"gateways/{GATEWAY}", {"online": False})
    issue(setup, "room-4", "Grace Hopper")
    setup.context.close()
    for size, viewport in (("tablet", TABLET), ("phone", PHONE)):
        page = signed_in_page(browser, console, ADMIN_NAME, ADMIN_PASSWORD, viewport)
        shots = {
            "board": "/",
            "issue": "/issue?room=room-2",
            "grant": "/grants/1",
            "locks": "/locks",
            "problems": "/problems",
        }
        for name, path in shots.items():
            page.goto(path)
            page.screenshot(path=screenshots / f"{name}-{size}.png", full_page=True)
        page.goto("/issue?room=room-2")
        page.get_by_label("Code").fill("123456")
        expect(page.locator("#code-feedback")).to_contain_text("Not usable")
        page.get_by_role("button", name="Issue the code").click()
        page.screenshot(path=screenshots / f"issue-errors-{size}.png", full_page=True)
        page.get_by_label("Code").fill("")
        page.get_by_role("button", name="Issue the code").click()
        expect(page.locator("#issued-code")).to_be_visible()
        page.screenshot(path=screenshots / f"issued-{size}.png", full_page=True)
        page.context.close()
    assert len(list(screenshots.glob("*.png"))) == 14
