"""Offline codes (issue 12) through the access core on the simulator over HTTP: a door without
a gateway gets a period code the cloud computes for its lock (reference §8.1), whole hours, its
own code; a gateway down shortly before arrival falls back to one; a cancel before the end is
honest (the code stays valid to its end); an ended one loses only its cloud record; hours
TTLock will not issue again (-1026) move the end; the 24 h first-use rule holds at the keypad.
"""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from access.conftest import MAIN_ENTRANCE, ROOM_1, Hotel, door_modes
from access.test_grants_over_http import stay
from cloud.cloud_fixtures import client_for
from conftest import RunningSimulator, StartSimulator
from ttlock_bridge.access import Access, GrantChanges, GrantRequest
from ttlock_bridge.access.errors import OfflineCodeChosen, OfflineCodeFixed
from ttlock_bridge.access.views import DoorStatus, GrantView
from ttlock_bridge.config import Config
from ttlock_bridge.simulator.scenario import GatewayConfig, default_scenario
from ttlock_bridge.store import Placement, PlacementStatus

HOUR_MS = 3_600_000
MAIN_GATEWAY = 500_001
ENTRANCE_GATEWAY = 500_002


ROOM_2 = 1_000_003


@pytest.fixture
def simulator(start_simulator: StartSimulator) -> RunningSimulator:
    """The small hotel with a second gateway, free for the main entrance to move to, and
    room-2's lock never set up for passcodes (no key data: keyboardPwd/get answers -1007)."""
    scenario = default_scenario()
    second = GatewayConfig(id=ENTRANCE_GATEWAY, mac="0C:61:CF:00:00:02")
    locks = [
        lock.model_copy(update={"passcode_key_data": False}) if lock.id == ROOM_2 else lock
        for lock in scenario.locks
    ]
    return start_simulator(
        scenario.model_copy(update={"gateways": [*scenario.gateways, second], "locks": locks})
    )


def local(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat()


def opens(hotel: Hotel, lock_id: int, code: str) -> bool:
    opened: bool = hotel.simulator.control(f"locks/{lock_id}/keypad", {"code": code})["opened"]
    return opened


def doors(view: GrantView) -> dict[str, DoorStatus]:
    return {door.door: door for door in view.doors}


def tomorrow_at(hour: int, minute: int = 0) -> datetime:
    day = (datetime.now(UTC) + timedelta(days=1)).replace(second=0, microsecond=0)
    return day.replace(hour=hour, minute=minute)


async def test_a_door_without_gateway_gets_its_own_code_for_whole_hours(hotel: Hotel) -> None:
    hotel.simulator.control(f"locks/{ROOM_1}", {"gateway": None})
    start, end = tomorrow_at(13, 20), tomorrow_at(13, 20) + timedelta(days=2, hours=-3)

    view = await hotel.access.grants.create(stay(start=local(start), end=local(end)))

    room, entrance = doors(view)["room-1"], doors(view)["main-entrance"]
    assert (room.kind, room.status, room.offline_reason) == (
        "offline",
        "active",
        "the lock has no gateway",
    )
    assert (entrance.kind, entrance.status) == ("online", "active")
    assert room.code != entrance.code
    assert view.codes == {"room-1": room.code, "main-entrance": entrance.code}
    assert view.code == room.code  # the room's own door: what a KNX panel shows first
    assert room.start_ms == view.start_ms // HOUR_MS * HOUR_MS < view.start_ms
    assert room.end_ms == -(-view.end_ms // HOUR_MS) * HOUR_MS > view.end_ms
    assert (entrance.start_ms, entrance.end_ms) == (view.start_ms, view.end_ms)

    # both codes open their doors within the window, neither before nor after
    assert not opens(hotel, ROOM_1, room.code)
    assert not opens(hotel, MAIN_ENTRANCE, entrance.code)
    hotel.advance(room.start_ms - hotel.clock() + HOUR_MS)
    assert opens(hotel, ROOM_1, room.code)
    assert opens(hotel, MAIN_ENTRANCE, entrance.code)
    assert not opens(hotel, ROOM_1, entrance.code)  # each door its own code
    hotel.advance(room.end_ms - hotel.clock() + 60_000)
    assert not opens(hotel, ROOM_1, room.code)
    assert not opens(hotel, MAIN_ENTRANCE, entrance.code)


async def test_an_offline_code_not_used_within_24_hours_of_its_start_is_void(
    hotel: Hotel,
) -> None:
    hotel.reconfigure(door_modes("offline", "room-1"))
    start = tomorrow_at(12)
    used_in_time = await hotel.access.grants.create(
        stay(start=local(start), end=local(start + timedelta(days=3)))
    )
    never_used = await hotel.access.grants.create(  # one hour later: its own code on room-1
        stay(start=local(start + timedelta(hours=1)), end=local(start + timedelta(days=3)))
    )
    used, unused = used_in_time.codes["room-1"], never_used.codes["room-1"]

    hotel.advance(int(tomorrow_at(14).timestamp() * 1000) - hotel.clock())
    assert opens(hotel, ROOM_1, used)  # used within its first 24 h: valid to its end
    hotel.advance(25 * HOUR_MS)

    assert opens(hotel, ROOM_1, used)
    assert not opens(hotel, ROOM_1, unused)
    door = doors(never_used)["room-1"]
    assert door.use_by_ms == door.start_ms + 24 * HOUR_MS


async def test_a_lock_never_set_up_for_passcodes_fails_its_offline_door_with_guidance(
    hotel: Hotel,
) -> None:
    hotel.reconfigure(door_modes("offline", "room-2"))

    view = await hotel.access.grants.create(stay(room="room-2"))

    room = doors(view)["room-2"]
    assert (room.kind, room.status, room.errcode) == ("offline", "failed", -1007)
    assert room.guidance is not None
    assert "TTLock app" in room.guidance
    assert doors(view)["main-entrance"].status == "active"


async def test_a_typed_code_for_offline_doors_only_and_moving_their_dates_are_refused(
    hotel: Hotel,
) -> None:
    hotel.reconfigure(door_modes("offline"))
    with pytest.raises(OfflineCodeChosen, match="leave the code out"):
        await hotel.access.grants.create(stay(code="582914"))
    view = await hotel.access.grants.create(stay())

    with pytest.raises(OfflineCodeFixed, match="cancel this grant and issue a new one"):
        await hotel.access.grants.modify(
            view.id, GrantChanges(end=local(tomorrow_at(9) + timedelta(days=5)))
        )
    renamed = await hotel.access.grants.modify(view.id, GrantChanges(name="Smith family"))
    assert (renamed.name, renamed.codes) == ("Smith family", view.codes)


def with_fallback(config: Config) -> Config:
    settings = config.property.model_copy(update={"offline_fallback": True})
    return config.model_copy(update={"property": settings})


async def test_a_gateway_down_shortly_before_arrival_falls_back_to_an_offline_code(
    hotel: Hotel,
) -> None:
    hotel.reconfigure(with_fallback)
    hotel.simulator.control(f"locks/{MAIN_ENTRANCE}", {"gateway": ENTRANCE_GATEWAY})
    hotel.simulator.control(f"gateways/{MAIN_GATEWAY}", {"online": False})  # room-1's
    arrival = datetime.now(UTC) + timedelta(minutes=30)

    view = await hotel.access.grants.create(
        stay(start=local(arrival), end=local(arrival + timedelta(days=2)))
    )
    assert doors(view)["room-1"].status == "pending"
    assert doors(view)["main-entrance"].status == "active"
    hotel.advance(9 * 60_000)
    await hotel.access.reconciler.run_pass()
    assert doors(await hotel.access.grants.get(view.id))["room-1"].kind == "online"  # 9 min
    hotel.advance(2 * 60_000)
    await hotel.access.reconciler.run_pass()

    after = doors(await hotel.access.grants.get(view.id))
    room, entrance = after["room-1"], after["main-entrance"]
    assert (room.kind, room.status) == ("offline", "active")
    assert room.offline_reason is not None
    assert room.offline_reason.startswith("fallback")
    assert (entrance.kind, entrance.status, entrance.code) == ("online", "active", view.code)
    assert [p["keyboardPwd"] for p in hotel.passcodes_on(ROOM_1)] == [room.code]


async def test_without_fallback_an_online_door_keeps_waiting_for_its_gateway(hotel: Hotel) -> None:
    hotel.simulator.control(f"gateways/{MAIN_GATEWAY}", {"online": False})
    arrival = datetime.now(UTC) + timedelta(minutes=30)
    view = await hotel.access.grants.create(
        stay(start=local(arrival), end=local(arrival + timedelta(days=2)))
    )
    hotel.advance(60 * 60_000)
    await hotel.access.reconciler.run_pass()

    assert {door.kind for door in (await hotel.access.grants.get(view.id)).doors} == {"online"}


async def test_cancelling_an_offline_code_before_its_end_says_it_stays_valid_until_then(
    hotel: Hotel,
) -> None:
    hotel.simulator.control(f"locks/{ROOM_1}", {"gateway": None})
    view = await hotel.access.grants.create(stay())
    room = doors(view)["room-1"]

    cancelled = (await hotel.access.grants.cancel(view.id)).view

    after = doors(cancelled)
    assert after["room-1"].status == "expiring"
    assert after["room-1"].guidance is not None
    assert "expires by itself at" in after["room-1"].guidance
    assert "TTLock app" in after["room-1"].guidance
    assert after["main-entrance"].status == "removed"
    assert cancelled.summary == "expiring"
    assert room.code in [p["keyboardPwd"] for p in hotel.passcodes_on(ROOM_1)]  # honest

    hotel.advance(room.end_ms - hotel.clock() + 60_000)
    await hotel.access.reconciler.run_pass()

    gone = doors(await hotel.access.grants.get(view.id))["room-1"]
    assert gone.status == "removed"
    listed = [p async for p in hotel.cloud.passcodes(ROOM_1)]
    assert listed == []  # the cloud record went, with no gateway to call


async def test_cleanup_of_an_ended_offline_code_deletes_only_its_cloud_record(
    hotel: Hotel,
) -> None:
    hotel.simulator.control(f"locks/{ROOM_1}", {"gateway": None})
    view = await hotel.access.grants.create(stay())
    hotel.advance(doors(view)["room-1"].end_ms - hotel.clock() + 25 * HOUR_MS)

    report = await hotel.access.cleanup.run(dry_run=False)

    assert {(item.door, item.outcome) for item in report.items} == {
        ("room-1", "deleted"),
        ("main-entrance", "deleted"),
    }
    assert [p async for p in hotel.cloud.passcodes(ROOM_1)] == []


async def test_hours_ttlock_will_not_issue_again_move_the_end_an_hour_later(
    hotel: Hotel,
) -> None:
    hotel.simulator.control(f"locks/{ROOM_1}", {"gateway": None})
    first = await hotel.access.grants.create(stay())
    room = doors(first)["room-1"]
    [issued] = [p async for p in hotel.cloud.passcodes(ROOM_1)]
    await hotel.cloud.delete_passcode(ROOM_1, issued.keyboard_pwd_id, on_lock=False)  # the app
    await hotel.access.grants.cancel(first.id)

    again = doors(await hotel.access.grants.create(stay()))["room-1"]

    assert (again.status, again.start_ms) == ("active", room.start_ms)
    assert again.end_ms == room.end_ms + HOUR_MS


async def test_a_used_offline_code_leaves_the_lock_through_its_gateway_when_cancelled(
    hotel: Hotel,
) -> None:
    hotel.reconfigure(door_modes("offline", "room-1"))  # room-1 keeps its gateway
    view = await hotel.access.grants.create(stay(start=local(tomorrow_at(12))))
    room = doors(view)["room-1"]
    hotel.advance(room.start_ms - hotel.clock() + HOUR_MS)
    assert opens(hotel, ROOM_1, room.code)

    cancelled = doors((await hotel.access.grants.cancel(view.id)).view)["room-1"]

    assert cancelled.status == "removed"
    assert not opens(hotel, ROOM_1, room.code)


async def test_an_offline_code_whose_gateway_is_down_is_retried_not_left_to_expire(
    hotel: Hotel,
) -> None:
    hotel.reconfigure(door_modes("offline", "room-1"))
    view = await hotel.access.grants.create(stay(start=local(tomorrow_at(12))))
    room = doors(view)["room-1"]
    hotel.advance(room.start_ms - hotel.clock() + HOUR_MS)
    assert opens(hotel, ROOM_1, room.code)
    hotel.simulator.control(f"gateways/{MAIN_GATEWAY}", {"online": False})

    waiting = doors((await hotel.access.grants.cancel(view.id)).view)["room-1"]
    assert (waiting.status, waiting.errcode) == ("removing", -3002)  # retried, fail closed
    hotel.simulator.control(f"gateways/{MAIN_GATEWAY}", {"online": True})
    hotel.advance(2 * HOUR_MS)
    await hotel.access.reconciler.run_pass()

    assert doors(await hotel.access.grants.get(view.id))["room-1"].status == "removed"
    assert not opens(hotel, ROOM_1, room.code)


async def test_a_door_in_online_mode_never_falls_back(hotel: Hotel) -> None:
    hotel.reconfigure(lambda config: door_modes("online", "room-1")(with_fallback(config)))
    hotel.simulator.control(f"gateways/{MAIN_GATEWAY}", {"online": False})
    arrival = datetime.now(UTC) + timedelta(minutes=30)
    view = await hotel.access.grants.create(
        stay(start=local(arrival), end=local(arrival + timedelta(days=2)))
    )
    hotel.advance(60 * 60_000)
    await hotel.access.reconciler.run_pass()

    assert doors(await hotel.access.grants.get(view.id))["room-1"].kind == "online"


async def test_stays_with_the_same_hours_on_an_offline_door_get_codes_of_their_own(
    hotel: Hotel,
) -> None:
    hotel.reconfigure(door_modes("offline", "main-entrance"))  # it keeps its gateway
    first = await hotel.access.grants.create(stay(name="Ann"))
    second = await hotel.access.grants.create(stay(room="room-2", name="Bob"))
    ann, bob = doors(first)["main-entrance"], doors(second)["main-entrance"]

    assert ann.code != bob.code
    assert (bob.start_ms, bob.end_ms) == (ann.start_ms, ann.end_ms + HOUR_MS)  # an hour more
    hotel.advance(bob.start_ms - hotel.clock() + HOUR_MS)
    assert opens(hotel, MAIN_ENTRANCE, ann.code)  # used: a gateway can delete it
    assert opens(hotel, MAIN_ENTRANCE, bob.code)
    await hotel.access.grants.cancel(first.id)

    assert not opens(hotel, MAIN_ENTRANCE, ann.code)
    assert opens(hotel, MAIN_ENTRANCE, bob.code)  # the other guest keeps the entrance
    still = doors(await hotel.access.grants.get(second.id))["main-entrance"]
    assert (still.status, still.code) == ("active", bob.code)


async def test_a_record_already_deleted_in_the_app_ends_the_expiring_door(hotel: Hotel) -> None:
    hotel.simulator.control(f"locks/{ROOM_1}", {"gateway": None})
    view = await hotel.access.grants.create(stay())
    await hotel.access.grants.cancel(view.id)
    [issued] = [p async for p in hotel.cloud.passcodes(ROOM_1)]
    await hotel.cloud.delete_passcode(ROOM_1, issued.keyboard_pwd_id, on_lock=False)  # the desk

    hotel.advance(doors(view)["room-1"].end_ms - hotel.clock() + 60_000)
    await hotel.access.reconciler.run_pass()

    assert doors(await hotel.access.grants.get(view.id))["room-1"].status == "removed"


async def test_a_fallback_that_cannot_get_an_offline_code_goes_back_to_waiting_online(
    hotel: Hotel,
) -> None:
    hotel.reconfigure(with_fallback)  # room-2's lock has no data for offline codes (-1007)
    hotel.simulator.control(f"gateways/{MAIN_GATEWAY}", {"online": False})
    arrival = datetime.now(UTC) + timedelta(minutes=30)
    view = await hotel.access.grants.create(
        stay(room="room-2", start=local(arrival), end=local(arrival + timedelta(days=2)))
    )
    hotel.advance(11 * 60_000)
    await hotel.access.reconciler.run_pass()

    waiting = doors(await hotel.access.grants.get(view.id))["room-2"]
    assert (waiting.kind, waiting.status) == ("online", "pending")
    assert waiting.offline_reason is not None
    assert waiting.offline_reason.startswith("the offline fallback failed")
    hotel.simulator.control(f"gateways/{MAIN_GATEWAY}", {"online": True})
    hotel.advance(HOUR_MS)
    await hotel.access.reconciler.run_pass()

    placed = doors(await hotel.access.grants.get(view.id))["room-2"]
    assert (placed.kind, placed.status, placed.code) == ("online", "active", view.code)


async def test_a_new_code_for_a_grant_whose_doors_are_all_offline_is_refused(
    hotel: Hotel,
) -> None:
    hotel.reconfigure(door_modes("offline"))
    view = await hotel.access.grants.create(stay())

    with pytest.raises(OfflineCodeChosen, match="cancel this grant and issue a new one"):
        await hotel.access.grants.new_code(view.id)
    with pytest.raises(OfflineCodeChosen):
        await hotel.access.grants.modify(view.id, GrantChanges(code="582914"))
    assert (await hotel.access.grants.get(view.id)).codes == view.codes


async def test_drift_counts_an_expiring_offline_code_as_the_ledgers(hotel: Hotel) -> None:
    hotel.simulator.control(f"locks/{ROOM_1}", {"gateway": None})
    view = await hotel.access.grants.create(stay())
    await hotel.access.grants.cancel(view.id)

    report = await hotel.access.cleanup.drift()

    assert [item.door for item in report.unknown_on_locks] == []
    assert report.missing_from_locks == []


def entrance_only(name: str) -> GrantRequest:
    return stay(room=None, doors=["main-entrance"], name=name)


async def test_two_processes_issuing_the_same_hours_never_share_a_record(hotel: Hotel) -> None:
    hotel.reconfigure(door_modes("offline", "main-entrance"))
    other = Access(hotel.access.config, hotel.store, client_for(hotel.simulator.base_url))
    hotel.simulator.control(  # slow answers: the two processes' issues overlap
        "faults", {"path": "/v3/keyboardPwd/get", "delay_ms": 200, "count": 6}
    )

    made = await asyncio.gather(
        hotel.access.grants.create(entrance_only("Ann")),
        other.grants.create(entrance_only("Bob")),
        other.grants.create(entrance_only("Cem")),
    )

    entrances = [doors(await hotel.access.grants.get(v.id))["main-entrance"] for v in made]
    assert [door.status for door in entrances] == ["active"] * 3
    assert len({door.code for door in entrances}) == 3
    assert len({(door.start_ms, door.end_ms) for door in entrances}) == 3


async def test_a_record_found_after_a_crash_is_not_taken_from_the_stay_that_holds_it(
    hotel: Hotel,
) -> None:
    hotel.reconfigure(door_modes("offline", "main-entrance"))
    crashed = await hotel.access.grants.create(entrance_only("Ann"))
    with hotel.store.transaction() as session:  # as a crash right after the call leaves it
        [placement] = session.scalars(
            select(Placement).where(Placement.grant_id == crashed.id)
        ).all()
        placement.status, placement.attempts = PlacementStatus.INTENT, 1
        placement.keyboard_pwd_id = placement.applied_code = None
    holder = await hotel.access.grants.create(entrance_only("Bob"))  # gets Ann's record

    await hotel.restart().reconciler.run_pass()

    ann = doors(await hotel.access.grants.get(crashed.id))["main-entrance"]
    bob = doors(await hotel.access.grants.get(holder.id))["main-entrance"]
    assert (ann.status, bob.status) == ("active", "active")
    assert ann.code != bob.code
    hotel.advance(max(ann.start_ms, bob.start_ms) + HOUR_MS - hotel.clock())
    assert opens(hotel, MAIN_ENTRANCE, ann.code)
    assert opens(hotel, MAIN_ENTRANCE, bob.code)
