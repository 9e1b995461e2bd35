"""Per-door keypad alphabets and fresh codes for a disclosed one, over the simulator.

A cylinder keypad with keys 1-7 only (`keypad = "1234567"`) on room 1: every code placed there
must be enterable on it, generated or typed, and on every door of the grant."""

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from access.conftest import HOTEL_TOML, MAIN_ENTRANCE, ROOM_1, Hotel, TestClock
from access.test_grants_over_http import local_day, stay
from cloud.cloud_fixtures import client_for
from conftest import RunningSimulator
from ttlock_bridge.access import Access, GrantChanges, GrantRequest
from ttlock_bridge.access.errors import GrantClosed
from ttlock_bridge.access.passcode_policy import CodeNotOnKeypad
from ttlock_bridge.config import load_config
from ttlock_bridge.store import open_store

CYLINDER = "1234567"


@pytest.fixture
async def cylinder_hotel(simulator: RunningSimulator, tmp_path: Path) -> AsyncIterator[Hotel]:
    """The test hotel with a 1-7 cylinder keypad on room 1."""
    config_path = tmp_path / "ttlock-bridge.toml"
    config_path.write_text(
        HOTEL_TOML.replace(
            "[doors.room-1]\nlock_id = 1000002",
            f'[doors.room-1]\nlock_id = 1000002\nkeypad = "{CYLINDER}"',
        )
    )
    config = load_config(config_path)
    assert config.doors["room-1"].keypad == CYLINDER
    store = open_store(config.store_url)
    clock = TestClock()
    async with client_for(simulator.base_url) as cloud:
        yield Hotel(
            simulator, Access(config, store, cloud, clock=clock), cloud, store, clock, config_path
        )
    store.close()


async def test_generated_codes_use_only_the_keys_every_door_of_the_grant_has(
    cylinder_hotel: Hotel,
) -> None:
    for offset in range(8):
        view = await cylinder_hotel.access.grants.create(
            stay(start=f"{local_day(offset * 3 + 1)}", end=f"{local_day(offset * 3 + 2)}")
        )
        assert set(view.code) <= set(CYLINDER), "a code room 1's keypad cannot enter"
        assert view.summary == "active"
    other = await cylinder_hotel.access.grants.create(stay(room="room-2"))
    assert other.code  # room 2 and the entrance have all ten keys: anything goes


async def test_a_typed_code_the_keypad_cannot_enter_is_refused_naming_the_door(
    cylinder_hotel: Hotel,
) -> None:
    with pytest.raises(CodeNotOnKeypad, match=r"room-1 \(keys 1234567\)") as refused:
        await cylinder_hotel.access.grants.create(stay(code="582914"))
    assert "582914" not in str(refused.value)
    assert await cylinder_hotel.access.grants.find(include_inactive=True) == []

    view = await cylinder_hotel.access.grants.create(stay(code="516273"))
    with pytest.raises(CodeNotOnKeypad):
        await cylinder_hotel.access.grants.modify(view.id, GrantChanges(code="592813"))
    # A door list without room 1 takes any key.
    await cylinder_hotel.access.grants.create(
        GrantRequest(start=local_day(1), end=local_day(2), doors=["main-entrance"], code="592813")
    )


async def test_a_new_code_replaces_a_disclosed_one_on_every_door(hotel: Hotel) -> None:
    view = await hotel.access.grants.create(stay(name="Smith"))

    fresh = await hotel.access.grants.new_code(view.id)

    assert fresh.id == view.id
    assert fresh.code != view.code
    assert fresh.summary == "active"
    for lock_id in (ROOM_1, MAIN_ENTRANCE):
        assert [p["keyboardPwd"] for p in hotel.passcodes_on(lock_id)] == [fresh.code]
    assert (fresh.start_ms, fresh.end_ms, fresh.name) == (view.start_ms, view.end_ms, view.name)


async def test_a_lock_that_refuses_a_change_gets_the_new_code_by_delete_and_add(
    hotel: Hotel,
) -> None:
    view = await hotel.access.grants.create(stay(name="Smith"))
    hotel.simulator.control("faults", {"path": "/v3/keyboardPwd/change", "errcode": -4043})

    fresh = await hotel.access.grants.new_code(view.id)

    assert fresh.summary == "active"
    for lock_id in (ROOM_1, MAIN_ENTRANCE):  # the disclosed code is gone from every door
        assert [p["keyboardPwd"] for p in hotel.passcodes_on(lock_id)] == [fresh.code]


async def test_a_new_code_respects_the_keypads(cylinder_hotel: Hotel) -> None:
    view = await cylinder_hotel.access.grants.create(stay(code="516273"))
    for _ in range(5):
        view = await cylinder_hotel.access.grants.new_code(view.id)
        assert set(view.code) <= set(CYLINDER)
    assert [p["keyboardPwd"] for p in cylinder_hotel.passcodes_on(ROOM_1)] == [view.code]


async def test_a_cancelled_grant_gets_no_new_code(hotel: Hotel) -> None:
    view = await hotel.access.grants.create(stay())
    await hotel.access.grants.cancel(view.id)

    with pytest.raises(GrantClosed):
        await hotel.access.grants.new_code(view.id)
