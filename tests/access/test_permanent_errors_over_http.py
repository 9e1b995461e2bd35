"""Retry or fail: every gateway, lock, permission and passcode error of the catalogue, as the
simulator answers it over HTTP, either leaves a placement `pending` with a next attempt (time may
fix it) or fails it at once with the catalogue's guidance (only a person can fix it)."""

import pytest

from access.conftest import MAIN_ENTRANCE, ROOM_1, Hotel, door_modes
from access.test_grants_over_http import stay
from ttlock_bridge.access import GrantChanges
from ttlock_bridge.cloud.errors import CATALOGUE

RETRY_LATER = {
    1: "gateway could not complete the command",
    -3002: "gateway offline",
    -3003: "gateway busy",
    -3036: "lock offline",
    -3037: "lock busy",
    30006: "call rate limit",
    30007: "monthly call limit",
    90000: "TTLock internal error",
}
NEEDS_A_PERSON = {
    -2012: "no gateway",
    -3034: "WiFi lock without network",
    -3035: "WiFi lock in power saving",
    -4037: "no such gateway",
    -1003: "unknown lock",
    -2025: "frozen lock",
    -4043: "function not supported",
    -4056: "lock memory full",
    -4082: "auto-lock period invalid",
    -2018: "permission denied",
    20002: "not the lock's admin",
    -1007: "no passcode data",
    -2032: "passcode too simple",
    -3006: "passcode length",
    -3009: "no space for passcodes",
}


@pytest.fixture(autouse=True)
def online_doors(hotel: Hotel) -> None:
    """The errors here are those of online codes: every door is `mode = "online"` (an `auto`
    door without a gateway gets an offline code instead: test_offline_codes_over_http.py)."""
    hotel.reconfigure(door_modes("online"))


def test_every_gateway_and_lock_error_of_the_catalogue_is_decided_here() -> None:
    decided = RETRY_LATER.keys() | NEEDS_A_PERSON.keys()
    gateway_and_lock = {
        errcode
        for errcode, entry in CATALOGUE.items()
        if entry.kind.__name__ in ("GatewayError", "LockError")
    }
    assert gateway_and_lock <= decided
    for errcode in RETRY_LATER:
        assert CATALOGUE[errcode].retry_later or CATALOGUE[errcode].transient
    for errcode in NEEDS_A_PERSON:
        assert not (CATALOGUE[errcode].retry_later)
        assert not (CATALOGUE[errcode].transient)


async def test_a_room_lock_without_gateway_fails_its_door_at_once_with_guidance(
    hotel: Hotel,
) -> None:
    hotel.simulator.control(f"locks/{ROOM_1}", {"gateway": None})

    view = await hotel.access.grants.create(stay(name="Smith"))

    room, entrance = view.doors
    assert (room.door, room.status, room.errcode) == ("room-1", "failed", -2012)
    assert room.guidance is not None
    assert "gateway" in room.guidance
    assert room.next_attempt_ms is None
    assert entrance.status == "active"
    assert view.summary == "failed"
    calls = hotel.calls("/v3/keyboardPwd/add")
    hotel.clock.offset_ms += 60 * 60_000
    await hotel.access.reconciler.run_pass()
    assert hotel.calls("/v3/keyboardPwd/add") == calls  # not retried: a person must act


@pytest.mark.parametrize("errcode", sorted(NEEDS_A_PERSON), ids=NEEDS_A_PERSON.get)
async def test_an_error_no_retry_can_fix_fails_the_placement_at_once(
    hotel: Hotel, errcode: int
) -> None:
    hotel.simulator.control(
        "faults", {"path": "/v3/keyboardPwd/add", "count": 50, "errcode": errcode}
    )

    view = await hotel.access.grants.create(stay())

    for door in view.doors:
        assert (door.status, door.errcode, door.next_attempt_ms) == ("failed", errcode, None)
        assert door.guidance == CATALOGUE[errcode].guidance_for.get(
            "/v3/keyboardPwd/add", CATALOGUE[errcode].guidance
        )


@pytest.mark.parametrize("errcode", sorted(RETRY_LATER), ids=RETRY_LATER.get)
async def test_an_error_time_may_fix_leaves_the_placement_pending_with_a_next_attempt(
    hotel: Hotel, errcode: int
) -> None:
    hotel.simulator.control(
        "faults", {"path": "/v3/keyboardPwd/add", "count": 50, "errcode": errcode}
    )

    view = await hotel.access.grants.create(stay())

    for door in view.doors:
        assert (door.status, door.errcode) == ("pending", errcode)
        assert door.next_attempt_ms is not None
        assert door.next_attempt_ms > hotel.clock()


async def test_a_failed_door_is_tried_again_by_a_modify_once_the_gateway_is_paired(
    hotel: Hotel,
) -> None:
    hotel.simulator.control(f"locks/{ROOM_1}", {"gateway": None})
    view = await hotel.access.grants.create(stay())
    hotel.simulator.control(f"locks/{ROOM_1}", {"gateway": 500001})

    view = await hotel.access.grants.modify(view.id, GrantChanges())

    assert view.summary == "active"
    for lock_id in (ROOM_1, MAIN_ENTRANCE):
        assert [p["keyboardPwd"] for p in hotel.passcodes_on(lock_id)] == [view.code]
