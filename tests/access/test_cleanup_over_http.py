"""Cleanup after departure, the sweep of foreign expired codes, and the drift report."""

from datetime import UTC, datetime, timedelta

from access.conftest import MAIN_ENTRANCE, ROOM_1, ROOM_2, Hotel
from ttlock_bridge.access import GrantChanges, GrantRequest

HOUR_MS = 3_600_000


def _in_hours(hours: float) -> str:
    return (datetime.now(UTC) + timedelta(hours=hours)).isoformat(timespec="minutes")


async def _short_stay(hotel: Hotel, room: str = "room-1") -> int:
    view = await hotel.access.grants.create(
        GrantRequest(start=_in_hours(0.1), end=_in_hours(2), room=room)
    )
    assert view.summary == "active"
    return view.id


async def test_dry_run_lists_what_would_go_and_deletes_nothing(hotel: Hotel) -> None:
    ended = await _short_stay(hotel)
    current = await hotel.access.grants.create(
        GrantRequest(start=_in_hours(1), end=_in_hours(72), room="room-2")
    )
    hotel.advance(27 * HOUR_MS)  # ended 25 h ago: past the 24 h grace

    report = await hotel.access.cleanup.run(dry_run=True)

    assert report.dry_run
    assert sorted((item.door, item.outcome) for item in report.items) == [
        ("main-entrance", "would delete"),
        ("room-1", "would delete"),
    ]
    assert {item.grant_id for item in report.items} == {ended}
    assert len(hotel.passcodes_on(ROOM_1)) == 1
    assert len(hotel.passcodes_on(MAIN_ENTRANCE)) == 2
    assert current.id not in {item.grant_id for item in report.items}


async def test_cleanup_deletes_ended_grants_after_the_grace_period_only(hotel: Hotel) -> None:
    ended = await _short_stay(hotel)
    hotel.advance(3 * HOUR_MS)  # ended, but well within the grace period

    assert (await hotel.access.cleanup.run(dry_run=False)).items == []
    assert len(hotel.passcodes_on(ROOM_1)) == 1

    hotel.advance(24 * HOUR_MS)
    report = await hotel.access.cleanup.run(dry_run=False)

    assert {(item.door, item.outcome) for item in report.items} == {
        ("room-1", "deleted"),
        ("main-entrance", "deleted"),
    }
    assert hotel.passcodes_on(ROOM_1) == []
    assert hotel.passcodes_on(MAIN_ENTRANCE) == []
    view = await hotel.access.grants.get(ended)
    assert (view.state, view.summary) == ("ended", "removed")
    assert (await hotel.access.cleanup.run(dry_run=False)).items == []


async def test_cleanup_with_the_gateway_offline_keeps_retrying_until_deleted(hotel: Hotel) -> None:
    ended = await _short_stay(hotel)
    hotel.advance(27 * HOUR_MS)
    hotel.simulator.control("gateways/500001", {"online": False})

    report = await hotel.access.cleanup.run(dry_run=False)

    assert {item.outcome for item in report.items} == {"pending (retried until deleted)"}
    assert [door.status for door in (await hotel.access.grants.get(ended)).doors] == [
        "removing",
        "removing",
    ]
    hotel.simulator.control("gateways/500001", {"online": True})
    hotel.clock.offset_ms += 31 * 60_000
    await hotel.access.reconciler.run_pass()
    assert hotel.passcodes_on(ROOM_1) == []
    assert hotel.passcodes_on(MAIN_ENTRANCE) == []


async def test_sweep_removes_foreign_expired_period_codes_and_leaves_the_rest(
    hotel: Hotel,
) -> None:
    now = hotel.clock()
    await hotel.cloud.add_passcode(
        ROOM_2, "604817", name="Old guest", start_ms=now, end_ms=now + HOUR_MS
    )
    await hotel.cloud.add_passcode(ROOM_2, "604818", name="Owner")  # permanent: never swept
    ours = await _short_stay(hotel)
    hotel.advance(27 * HOUR_MS)

    dry = await hotel.access.cleanup.run(dry_run=True, sweep=True)

    swept = [item for item in dry.items if item.grant_id is None]
    assert [(item.door, item.name, item.outcome) for item in swept] == [
        ("room-2", "Old guest", "would delete")
    ]
    assert len(hotel.passcodes_on(ROOM_2)) == 2

    done = await hotel.access.cleanup.run(dry_run=False, sweep=True)

    assert {item.outcome for item in done.items} == {"deleted"}
    assert [p["keyboardPwdName"] for p in hotel.passcodes_on(ROOM_2)] == ["Owner"]
    assert (await hotel.access.grants.get(ours)).summary == "removed"


async def test_drift_reports_foreign_codes_and_ledger_entries_missing_from_locks(
    hotel: Hotel,
) -> None:
    view = await hotel.access.grants.create(
        GrantRequest(start=_in_hours(1), end=_in_hours(48), room="room-1")
    )
    await hotel.cloud.add_passcode(ROOM_2, "604817", name="Handyman")
    behind_our_back = next(p for p in hotel.passcodes_on(ROOM_1) if p["keyboardPwd"] == view.code)
    await hotel.cloud.delete_passcode(ROOM_1, behind_our_back["keyboardPwdId"])

    report = await hotel.access.cleanup.drift()

    assert [(item.door, item.name, item.ours) for item in report.unknown_on_locks] == [
        ("room-2", "Handyman", False)
    ]
    assert all("604817" not in item.masked_code for item in report.unknown_on_locks)
    assert [(item.door, item.grant_id) for item in report.missing_from_locks] == [
        ("room-1", view.id)
    ]


async def test_a_stay_extended_after_cleanup_gets_its_code_back(hotel: Hotel) -> None:
    ended = await _short_stay(hotel)
    hotel.advance(27 * HOUR_MS)
    await hotel.access.cleanup.run(dry_run=False)
    assert hotel.passcodes_on(ROOM_1) == []

    view = await hotel.access.grants.modify(ended, GrantChanges(end=_in_hours(27 + 48)))

    assert view.summary == "active"
    assert {door.status for door in view.doors} == {"active"}
    for lock_id in (ROOM_1, MAIN_ENTRANCE):
        assert [p["keyboardPwd"] for p in hotel.passcodes_on(lock_id)] == [view.code]


async def test_a_rename_after_cleanup_does_not_bring_an_ended_code_back(hotel: Hotel) -> None:
    ended = await _short_stay(hotel)
    hotel.advance(27 * HOUR_MS)
    await hotel.access.cleanup.run(dry_run=False)

    await hotel.access.grants.modify(ended, GrantChanges(name="Renamed"))

    assert hotel.passcodes_on(ROOM_1) == hotel.passcodes_on(MAIN_ENTRANCE) == []
