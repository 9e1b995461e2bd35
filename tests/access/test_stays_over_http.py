"""Issuing by room (`Access.stays`): a window overlapping the room's current stay changes it;
any other window is another guest's stay, a new grant beside it. Over the simulator."""

import asyncio
from datetime import UTC, date, datetime, timedelta

import pytest

from access.conftest import MAIN_ENTRANCE, ROOM_1, Hotel
from ttlock_bridge.access import StayOutcome
from ttlock_bridge.access.errors import CodeClash
from ttlock_bridge.access.stays import StayAmbiguous, StayOverlapsSeveral


def day(offset: int) -> date:
    return (datetime.now(UTC) + timedelta(days=offset)).date()


def codes_on(hotel: Hotel, lock_id: int) -> list[str]:
    return sorted(p["keyboardPwd"] for p in hotel.passcodes_on(lock_id))


async def test_the_next_guests_stay_is_a_new_grant_and_the_current_guest_keeps_theirs(
    hotel: Hotel,
) -> None:
    # The issue's input: room 1 holds 10-12 Dec; the next guest stays 12 Dec 15:00 - 14 Dec 11:00.
    current = await hotel.access.stays.issue("room-1", f"{day(10)}", f"{day(12)}")
    assert current.outcome is StayOutcome.NEW

    following = await hotel.access.stays.issue("room-1", f"{day(12)}T15:00", f"{day(14)}T11:00")

    assert following.outcome is StayOutcome.NEXT_STAY
    assert following.grant.id != current.grant.id
    assert following.grant.code != current.grant.code
    kept = await hotel.access.grants.get(current.grant.id)
    assert (kept.start_local, kept.end_local, kept.code) == (
        current.grant.start_local,
        current.grant.end_local,
        current.grant.code,
    )
    assert following.grant.start_local == f"{day(12)} 15:00"
    for lock_id in (ROOM_1, MAIN_ENTRANCE):
        assert codes_on(hotel, lock_id) == sorted([current.grant.code, following.grant.code])


async def test_an_overlapping_window_changes_the_stay_it_overlaps_and_keeps_its_code(
    hotel: Hotel,
) -> None:
    first = await hotel.access.stays.issue("room-1", f"{day(10)}", f"{day(12)}")
    second = await hotel.access.stays.issue("room-1", f"{day(12)}", f"{day(14)}")

    longer = await hotel.access.stays.issue(
        "room-1", f"{day(12)}", f"{day(16)}", code=second.grant.code
    )
    earlier = await hotel.access.stays.issue("room-1", f"{day(9)}", f"{day(12)}")

    assert (longer.outcome, longer.grant.id) == (StayOutcome.CHANGED, second.grant.id)
    assert longer.grant.code == second.grant.code
    assert longer.grant.end_local == f"{day(16)} 11:00"
    assert (earlier.outcome, earlier.grant.id) == (StayOutcome.CHANGED, first.grant.id)
    assert len(await hotel.access.grants.find(room="room-1")) == 2


async def test_a_stay_before_the_booked_one_is_also_a_separate_grant(hotel: Hotel) -> None:
    booked = await hotel.access.stays.issue("room-1", f"{day(10)}", f"{day(12)}")
    before = await hotel.access.stays.issue("room-1", f"{day(2)}", f"{day(4)}")

    assert before.outcome is StayOutcome.NEXT_STAY
    assert before.grant.id != booked.grant.id
    assert (await hotel.access.grants.get(booked.grant.id)).start_local == f"{day(10)} 15:00"


async def test_a_window_over_two_stays_is_refused_and_changes_nothing(hotel: Hotel) -> None:
    await hotel.access.stays.issue("room-1", f"{day(10)}", f"{day(12)}")
    await hotel.access.stays.issue("room-1", f"{day(12)}", f"{day(14)}")

    with pytest.raises(StayOverlapsSeveral, match="change one of them by its id"):
        await hotel.access.stays.issue("room-1", f"{day(11)}", f"{day(13)}")
    assert len(await hotel.access.grants.find(room="room-1")) == 2


async def test_the_current_guests_code_typed_for_the_next_stay_is_a_clash(hotel: Hotel) -> None:
    current = await hotel.access.stays.issue("room-1", f"{day(10)}", f"{day(12)}")

    with pytest.raises(CodeClash):
        await hotel.access.stays.issue(
            "room-1", f"{day(12)}", f"{day(14)}", code=current.grant.code
        )


async def test_another_rooms_stay_does_not_count(hotel: Hotel) -> None:
    await hotel.access.stays.issue("room-2", f"{day(10)}", f"{day(12)}")
    issued = await hotel.access.stays.issue("room-1", f"{day(10)}", f"{day(12)}")
    assert issued.outcome is StayOutcome.NEW


async def test_triggers_at_the_same_moment_make_one_stay(hotel: Hotel) -> None:
    issued = await asyncio.gather(
        *(hotel.access.stays.issue("room-1", f"{day(10)}", f"{day(12)}") for _ in range(3))
    )

    assert sorted(result.outcome for result in issued) == [
        StayOutcome.CHANGED,
        StayOutcome.CHANGED,
        StayOutcome.NEW,
    ]
    assert len({result.grant.id for result in issued}) == 1
    assert len(await hotel.access.grants.find(room="room-1")) == 1


async def test_a_later_start_over_a_stay_that_has_begun_is_refused_not_guessed(
    hotel: Hotel,
) -> None:
    current = await hotel.access.stays.issue("room-1", f"{day(1)}", f"{day(10)}")
    hotel.advance(3 * 86_400_000)  # the guest is in

    with pytest.raises(StayAmbiguous, match="keep its start"):
        await hotel.access.stays.issue("room-1", f"{day(5)}", f"{day(12)}", name="Early")
    extended = await hotel.access.stays.issue("room-1", f"{day(1)}", f"{day(12)}")

    kept = await hotel.access.grants.get(current.grant.id)
    assert (extended.outcome, extended.grant.id) == (StayOutcome.CHANGED, current.grant.id)
    assert kept.code == current.grant.code
    assert kept.name == current.grant.name
