"""Live news: what a page's stream says, and what a reconnecting page is told it missed."""

from __future__ import annotations

import json

from ttlock_bridge.access import GrantNews
from ttlock_bridge.channels.web.live import KEPT_CHANGES, LiveNews
from ttlock_bridge.locks import LockNews


def rooms_owning(door: str) -> list[str]:
    return [] if door == "main-entrance" else [door]  # the main entrance is shared


async def first_events(live: LiveNews, last_seen: int | None, count: int) -> list[str]:
    lines = []
    async for line in live.stream(last_seen=last_seen, seconds=0.2):
        if line.startswith("id: "):
            lines.append(line)
            if len(lines) == count:
                break
    return lines


def data(event: str) -> dict[str, object]:
    found: dict[str, object] = json.loads(event.split("data: ", 1)[1])
    return found


async def test_a_reconnecting_page_is_told_what_it_missed() -> None:
    live = LiveNews(rooms_owning)
    await live.grant_changed(GrantNews(7, "room-2", ("room-2", "main-entrance")))
    await live.publish(
        LockNews(lock_id=1, door="main-entrance", bolt=None, battery=80, event_text=None)
    )
    await live.publish(LockNews(lock_id=2, door=None, bolt=None, battery=80, event_text=None))

    [missed] = await first_events(live, last_seen=1, count=1)

    assert missed.startswith("id: 2\n")
    assert data(missed) == {"doors": ["main-entrance"], "rooms": [], "tags": []}
    [both_first, _] = await first_events(live, last_seen=0, count=2)
    assert data(both_first) == {"rooms": ["room-2"], "grants": [7]}


async def test_lock_news_on_a_shared_door_names_the_door_not_every_room() -> None:
    live = LiveNews(rooms_owning)
    keypad = "passcode ****14 (Noether 01-03/12 #tb-7K2QF9)"
    news = [
        LockNews(lock_id=1, door="main-entrance", bolt=None, battery=19, event_text=None),
        LockNews(
            lock_id=1,
            door="main-entrance",
            bolt="unlocked",
            battery=80,
            event_text=keypad,
            event_who="Noether 01-03/12 #tb-7K2QF9",
        ),
        LockNews(lock_id=3, door="room-2", bolt=None, battery=80, event_text=None),
    ]
    for each in news:
        await live.publish(each)

    events = [data(event) for event in await first_events(live, last_seen=0, count=3)]

    assert events == [
        {"doors": ["main-entrance"], "rooms": [], "tags": []},  # one facts fragment
        {"doors": ["main-entrance"], "rooms": [], "tags": ["7K2QF9"]},  # and that stay's card
        {"doors": ["room-2"], "rooms": ["room-2"], "tags": []},  # a room's own door
    ]


async def test_a_page_that_missed_more_than_is_kept_refreshes_everything() -> None:
    live = LiveNews(rooms_owning)
    for grant_id in range(KEPT_CHANGES + 2):
        await live.grant_changed(GrantNews(grant_id, "room-1", ("room-1",)))

    [event] = await first_events(live, last_seen=1, count=1)

    assert data(event) == {"all": True}
    assert await first_events(live, last_seen=None, count=1) == []
