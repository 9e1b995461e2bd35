"""Who is in each room, and grant news, on the running bridge over the simulator: a stay is
arriving until its code opens one of its doors (a keypad callback), then in house; every
grant change and every door the reconciler moves is told to the subscribers."""

from __future__ import annotations

import asyncio
from datetime import date, timedelta

from service.bridge import MAIN_ENTRANCE, RunningBridge, StartBridge
from service.test_end_to_end import eventually
from ttlock_bridge.access import GrantNews, RoomOccupancy, RoomState


class NewsRecorder:
    name = "recorder"

    def __init__(self) -> None:
        self.news: list[GrantNews] = []

    async def grant_changed(self, news: GrantNews) -> None:
        self.news.append(news)


def occupancy(bridge: RunningBridge, room: str) -> RoomOccupancy:
    return asyncio.run(bridge.runtime.access.occupancy.room(room))


def test_a_stay_is_arriving_until_its_code_is_used_then_in_house(bridge: RunningBridge) -> None:
    today = date.today()
    vacant = occupancy(bridge, "room-1")
    assert (vacant.state, vacant.current, vacant.next) == (RoomState.VACANT, None, None)
    stay = bridge.api.post(
        "/api/v1/grants",
        json={
            "room": "room-1",
            "start": f"{today - timedelta(days=1)}T00:00",
            "end": (today + timedelta(days=2)).isoformat(),
            "name": "Smith",
        },
    ).json()
    later = bridge.api.post(
        "/api/v1/grants",
        json={
            "room": "room-1",
            "start": (today + timedelta(days=5)).isoformat(),
            "end": (today + timedelta(days=7)).isoformat(),
            "name": "Jones",
        },
    ).json()

    arriving = occupancy(bridge, "room-1")
    assert arriving.state is RoomState.ARRIVING
    assert arriving.current is not None
    assert arriving.current.id == stay["id"]
    assert arriving.next is not None
    assert arriving.next.id == later["id"]
    assert arriving.first_use_ms is None

    bridge.simulator.control(f"locks/{MAIN_ENTRANCE}/keypad", {"code": later["code"]})  # too soon
    assert bridge.simulator.control(f"locks/{MAIN_ENTRANCE}/keypad", {"code": stay["code"]})[
        "opened"
    ]
    in_house = eventually(
        lambda: (found := occupancy(bridge, "room-1")).state is RoomState.IN_HOUSE and found
    )
    assert in_house.first_use_ms is not None
    assert in_house.current.id == stay["id"]
    assert occupancy(bridge, "room-2").state is RoomState.VACANT

    rooms = asyncio.run(bridge.runtime.access.occupancy.rooms())
    assert [room.room for room in rooms] == list(bridge.runtime.config.rooms)


def test_grant_news_tells_the_write_and_each_door_placed(start_bridge: StartBridge) -> None:
    bridge = start_bridge()
    recorder = NewsRecorder()
    bridge.runtime.access.subscribe(recorder)
    today = date.today()

    grant = bridge.api.post(
        "/api/v1/grants",
        json={"room": "room-2", "start": today.isoformat(), "end": f"{today + timedelta(days=1)}"},
    ).json()
    bridge.api.delete(f"/api/v1/grants/{grant['id']}")

    expected = GrantNews(grant["id"], "room-2", ("room-2", "main-entrance"))
    # Written, then each of two doors placed; cancelled, then each door's code removed.
    assert recorder.news == [expected] * 6
