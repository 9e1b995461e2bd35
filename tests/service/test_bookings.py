"""Bookings in, codes out, over real HTTP: booking calendars served on loopback by a feed server
that changes its answer between reads, the bridge as `serve` runs it, the simulator as TTLock.

The bridge reads each feed once at start (within seconds), then every hour (`poll`): the tests
wait for that first read, then drive the next ones with `POST /api/v1/bookings/sync`.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from bookings.feeds import (
    FeedServer,
    airbnb,
    airbnb_block,
    airbnb_reservation,
    feed_server,
)
from service.bridge import MAIN_ENTRANCE, ROOM_1, MovableClock, RunningBridge, StartBridge
from ttlock_bridge.bookings.plan import CONFIRM_AFTER_MS
from ttlock_bridge.config.bookings import BookingSettings
from ttlock_bridge.service.demo import DEMO_TIMEZONE
from ttlock_bridge.simulator import Scenario

ZONE = ZoneInfo(DEMO_TIMEZONE)
SECRET = "s3cr3t-t0ken-0123456789"


def settings(url: str, **changes: Any) -> BookingSettings:
    return BookingSettings(feeds=(url,), poll=timedelta(hours=1), **changes)


def started(
    start_bridge: StartBridge,
    feeds: FeedServer,
    scenario_change: Callable[[Scenario], Scenario] | None = None,
    **changes: Any,
) -> RunningBridge:
    """The bridge with room-1's bookings from `feeds` ("room-1.ics"), after its first read."""
    bridge = start_bridge(
        scenario_change,
        bookings={"room-1": settings(feeds.url("room-1.ics", SECRET), **changes)},
        clock=MovableClock(),
    )
    deadline = time.monotonic() + 15
    while feed_status(bridge)["last_attempt"] is None:
        assert time.monotonic() < deadline, "the first read did not happen"
        time.sleep(0.1)
    return bridge


def minutes_later(bridge: RunningBridge) -> None:
    """Move the bridge's clock on by the sync's confirmation time: the next read that misses a
    booking (or moves a begun stay away) counts as the second one."""
    clock = bridge.runtime.clock
    assert isinstance(clock, MovableClock)
    clock.advance(CONFIRM_AFTER_MS)


def overview(bridge: RunningBridge) -> dict[str, Any]:
    answer = bridge.api.get("/api/v1/bookings")
    answer.raise_for_status()
    result: dict[str, Any] = answer.json()
    assert SECRET not in answer.text
    return result


def feed_status(bridge: RunningBridge) -> dict[str, Any]:
    [feed] = overview(bridge)["feeds"]
    return feed  # type: ignore[no-any-return]


def sync(bridge: RunningBridge, **body: Any) -> dict[str, Any]:
    answer = bridge.api.post("/api/v1/bookings/sync", json=body)
    answer.raise_for_status()
    assert SECRET not in answer.text
    result: dict[str, Any] = answer.json()
    return result


def codes_on(bridge: RunningBridge, lock_id: int) -> dict[str, dict[str, Any]]:
    return {p["keyboardPwd"]: p for p in bridge.passcodes_on(lock_id)}


def grants(bridge: RunningBridge) -> list[dict[str, Any]]:
    answer = bridge.api.get("/api/v1/grants", params={"room": "room-1"})
    answer.raise_for_status()
    result: list[dict[str, Any]] = answer.json()
    return result


def full_grant(bridge: RunningBridge, grant_id: int) -> dict[str, Any]:
    answer = bridge.api.get(f"/api/v1/grants/{grant_id}")
    answer.raise_for_status()
    result: dict[str, Any] = answer.json()
    return result


def now_utc() -> datetime:
    return datetime.now(UTC).replace(microsecond=0)


def today() -> date:
    return datetime.now(ZONE).date()


def test_a_booking_becomes_a_grant_follows_its_dates_and_goes_after_two_reads_without_it(
    start_bridge: StartBridge,
) -> None:
    with feed_server() as feeds:
        arrival, departure = today() + timedelta(days=1), today() + timedelta(days=3)
        far = today() + timedelta(days=30)
        feeds.set(
            "room-1.ics",
            airbnb(
                airbnb_reservation("hm1", arrival, departure),
                airbnb_reservation("hm2", far, far + timedelta(days=2)),  # beyond the lead time
                airbnb_block("blk", today() + timedelta(days=40), today() + timedelta(days=90)),
            ),
        )
        bridge = started(start_bridge, feeds)
        by_hand = bridge.api.post(
            "/api/v1/grants",
            json={
                "room": "room-1",
                "start": f"{arrival}",
                "end": f"{departure}",
                "name": "Walk-in",
            },
        ).json()

        # the first read (at start) made the grant: room door and main entrance, generated code
        [booked] = [g for g in grants(bridge) if g["id"] != by_hand["id"]]
        code = full_grant(bridge, booked["id"])["code"]
        assert booked["name"] == "Reserved"
        assert (booked["start"], booked["end"]) == (f"{arrival} 15:00", f"{departure} 11:00")
        assert {d["door"]: d["status"] for d in booked["doors"]} == {
            "room-1": "active",
            "main-entrance": "active",
        }
        assert code in codes_on(bridge, ROOM_1)
        assert code in codes_on(bridge, MAIN_ENTRANCE)
        upcoming = {b["uid"]: b for b in overview(bridge)["bookings"]}
        assert upcoming["hm1@airbnb.com"]["grant"]["id"] == booked["id"]
        assert upcoming["hm2@airbnb.com"]["grant"] is None  # issued 2 days before arrival
        assert "blk@airbnb.com" not in upcoming
        assert feeds.url("room-1.ics", SECRET) not in bridge.api.get("/metrics").text

        # the dates move: the same grant, the same code, the new window on both locks
        later = departure + timedelta(days=1)
        later_stay = airbnb_reservation("hm2", far, far + timedelta(days=2))
        feeds.set("room-1.ics", airbnb(airbnb_reservation("hm1", arrival, later), later_stay))
        [step] = sync(bridge)["feeds"][0]["steps"]
        assert (step["action"], step["grant_id"], step["ok"]) == ("change", booked["id"], True)
        moved = full_grant(bridge, booked["id"])
        assert (moved["code"], moved["end"]) == (code, f"{later} 11:00")
        assert codes_on(bridge, ROOM_1)[code]["endDate"] == moved["end_ms"]

        # gone once: nothing happens; gone twice: cancelled, the codes leave the locks
        feeds.set("room-1.ics", airbnb(later_stay))
        [missing] = sync(bridge)["feeds"][0]["steps"]
        assert missing["action"] == "missing"
        [too_soon] = sync(bridge)["feeds"][0]["steps"]  # a second sync at once: still missing
        assert too_soon["action"] == "missing"
        assert full_grant(bridge, booked["id"])["state"] == "active"
        assert code in codes_on(bridge, ROOM_1)
        minutes_later(bridge)
        [cancel] = sync(bridge)["feeds"][0]["steps"]
        assert (cancel["action"], cancel["grant_id"]) == ("cancel", booked["id"])
        assert full_grant(bridge, booked["id"])["state"] == "cancelled"
        assert code not in codes_on(bridge, ROOM_1)
        assert code not in codes_on(bridge, MAIN_ENTRANCE)

        # the grant made by hand in the same room went through every sync untouched
        kept = full_grant(bridge, by_hand["id"])
        assert (kept["state"], kept["code"], kept["end"]) == (
            "active",
            by_hand["code"],
            by_hand["end"],
        )
        # every action is an event naming the feed (masked) and the UID
        events = overview(bridge)["events"]
        assert [(e["action"], e["uid"]) for e in events][:4] == [
            ("cancelled", "hm1@airbnb.com"),
            ("missing", "hm1@airbnb.com"),
            ("changed", "hm1@airbnb.com"),
            ("created", "hm1@airbnb.com"),
        ]
        assert all(e["feed"].startswith(f"{feeds.base_url}/…#") for e in events)


def test_a_failing_feed_is_reported_and_leaves_the_grants_as_they_are(
    start_bridge: StartBridge,
) -> None:
    with feed_server() as feeds:
        arrival = today() + timedelta(days=1)
        good = airbnb(airbnb_reservation("hm1", arrival, arrival + timedelta(days=2)))
        feeds.set("room-1.ics", good)
        bridge = started(start_bridge, feeds)
        [grant] = grants(bridge)

        for status, body, content_type, reason in (
            (500, b"Internal error", "text/plain", "the channel answered HTTP 500"),
            (200, b"<!DOCTYPE html><html>Sign in</html>", "text/html", "an HTML page"),
            (200, b"\x00\x17garbage{}", "application/octet-stream", "not an iCalendar file"),
            (200, good[:-30], "text/calendar", "truncated"),
            (200, airbnb(), "text/calendar", "the feed came back without any booking"),
        ):
            feeds.set("room-1.ics", body, status=status, content_type=content_type)
            [report] = sync(bridge)["feeds"]
            assert report["failure"].startswith(reason), report["failure"]
            feed = feed_status(bridge)
            assert feed["last_error"].startswith(reason)
            assert full_grant(bridge, grant["id"])["state"] == "active"

        assert feed_status(bridge)["failures"] == 5
        ready = bridge.api.get("/readyz").json()
        [check] = [c for c in ready["checks"] if c["name"] == "bookings"]
        assert check["ready"]  # one failing poll interval is shown, not alarmed on
        assert "1 failing" in check["detail"]
        assert "without any booking" in check["detail"]
        assert SECRET not in bridge.api.get("/readyz").text
        metrics = bridge.api.get("/metrics").text
        assert 'ttlock_bridge_booking_feed_up{feed_id="' in metrics
        assert (
            'ttlock_bridge_booking_feed_reads_total{outcome="failed",room="room-1"} 5.0' in metrics
        )
        events = [e["action"] for e in overview(bridge)["events"]]
        assert events.count("read_failed") == 5

        feeds.set("room-1.ics", good)
        assert sync(bridge)["feeds"][0]["failure"] is None
        assert feed_status(bridge)["failures"] == 0
        assert [g["id"] for g in grants(bridge)] == [grant["id"]]


def test_phone_last4_is_the_code_unless_the_policy_refuses_it(start_bridge: StartBridge) -> None:
    with feed_server() as feeds:
        first = today()
        feeds.set(
            "room-1.ics",
            airbnb(
                airbnb_reservation("ok", first, first + timedelta(days=1), phone_last4="4827"),
                airbnb_reservation(
                    "trivial", first + timedelta(days=1), first + timedelta(days=2), "1234"
                ),
            ),
        )
        bridge = started(start_bridge, feeds, code="phone_last4")

        by_uid = {b["uid"]: b["grant"]["id"] for b in overview(bridge)["bookings"]}
        assert full_grant(bridge, by_uid["ok@airbnb.com"])["code"] == "4827"
        fallback = full_grant(bridge, by_uid["trivial@airbnb.com"])["code"]
        assert fallback != "1234"
        assert len(fallback) == 6
        created = {e["uid"]: e["detail"] for e in overview(bridge)["events"]}
        assert "phone ending was refused" in created["trivial@airbnb.com"]


def test_a_stay_over_the_dst_change_opens_and_closes_at_local_times(
    start_bridge: StartBridge,
) -> None:
    day = today() + timedelta(days=1)
    while ZONE.utcoffset(datetime(day.year, day.month, day.day, 12)) == ZONE.utcoffset(
        datetime(day.year, day.month, day.day + 0, 12) + timedelta(days=1)
    ):
        day += timedelta(days=1)
    arrival, departure = day, day + timedelta(days=2)  # the clocks change in the first night
    with feed_server() as feeds:
        feeds.set("room-1.ics", airbnb(airbnb_reservation("dst", arrival, departure)))
        bridge = started(start_bridge, feeds, lead_time=timedelta(days=400))

        [grant] = grants(bridge)
        assert (grant["start"], grant["end"]) == (f"{arrival} 15:00", f"{departure} 11:00")
        start = datetime(arrival.year, arrival.month, arrival.day, 15, tzinfo=ZONE)
        end = datetime(departure.year, departure.month, departure.day, 11, tzinfo=ZONE)
        assert start.utcoffset() != end.utcoffset()
        assert grant["start_ms"] == int(start.timestamp() * 1000)
        assert grant["end_ms"] == int(end.timestamp() * 1000)
        code = full_grant(bridge, grant["id"])["code"]
        on_lock = codes_on(bridge, ROOM_1)[code]
        assert (on_lock["startDate"], on_lock["endDate"]) == (grant["start_ms"], grant["end_ms"])


def a_current_stay(
    start_bridge: StartBridge,
    feeds: FeedServer,
    uid: str,
    scenario_change: Callable[[Scenario], Scenario] | None = None,
) -> tuple[RunningBridge, dict[str, Any], str]:
    """The bridge after its first read of a feed listing one stay that began an hour ago:
    the bridge, the stay's grant and its code."""
    stay = airbnb_reservation(uid, now_utc() - timedelta(hours=1), now_utc() + timedelta(2))
    feeds.set("room-1.ics", airbnb(stay))
    bridge = started(start_bridge, feeds, scenario_change)
    [grant] = grants(bridge)
    return bridge, grant, full_grant(bridge, grant["id"])["code"]


def gone_once_and_minutes_pass(bridge: RunningBridge, feeds: FeedServer) -> None:
    """The current stay leaves the feed, a read misses it, and the confirmation time passes:
    the next read decides whether its grant goes."""
    only_a_later_booking(feeds)
    sync(bridge)
    minutes_later(bridge)


def only_a_later_booking(feeds: FeedServer) -> None:
    later = today() + timedelta(days=20)
    feeds.set("room-1.ics", airbnb(airbnb_reservation("next", later, later + timedelta(days=2))))


def test_a_guest_who_is_in_keeps_the_code_when_the_booking_vanishes(
    start_bridge: StartBridge,
) -> None:
    with feed_server() as feeds:
        bridge, grant, code = a_current_stay(start_bridge, feeds, "in")
        bridge.simulator.control(f"locks/{ROOM_1}/keypad", {"code": code})
        deadline = time.monotonic() + 10
        while not any(
            event["success"]
            for event in bridge.api.get("/api/v1/events", params={"lock": "room-1"}).json()[
                "events"
            ]
        ):
            assert time.monotonic() < deadline, "the keypad record did not arrive"
            time.sleep(0.1)

        gone_once_and_minutes_pass(bridge, feeds)
        [kept] = sync(bridge)["feeds"][0]["steps"]

        assert (kept["action"], kept["grant_id"]) == ("kept_guest_in", grant["id"])
        assert full_grant(bridge, grant["id"])["state"] == "active"
        assert code in codes_on(bridge, ROOM_1)
        line = {b["uid"]: b for b in overview(bridge)["bookings"]}["in@airbnb.com"]
        assert line["note"] == "gone from the feed; the guest is in: grant kept"


def no_callbacks(scenario: Scenario) -> Scenario:
    """TTLock with no callback URL set (or one it cannot reach): the bridge hears no records."""
    apps = [app.model_copy(update={"callback_url": None}) for app in scenario.apps]
    return scenario.model_copy(update={"apps": apps})


def test_a_guest_is_in_by_the_locks_records_when_no_callback_told_the_bridge(
    start_bridge: StartBridge,
) -> None:
    with feed_server() as feeds:
        bridge, grant, code = a_current_stay(start_bridge, feeds, "in", no_callbacks)
        opened = bridge.simulator.control(f"locks/{MAIN_ENTRANCE}/keypad", {"code": code})
        assert opened["opened"] is True
        assert bridge.api.get("/api/v1/events").json()["events"] == []  # the bridge heard nothing

        gone_once_and_minutes_pass(bridge, feeds)
        [kept] = sync(bridge)["feeds"][0]["steps"]

        assert (kept["action"], kept["grant_id"]) == ("kept_guest_in", grant["id"])
        assert full_grant(bridge, grant["id"])["state"] == "active"
        assert code in codes_on(bridge, MAIN_ENTRANCE)
        asked = bridge.simulator.state()["calls"]["/v3/lockRecord/list"]
        [again] = sync(bridge)["feeds"][0]["steps"]
        assert again["action"] == "kept_guest_in"
        assert bridge.simulator.state()["calls"]["/v3/lockRecord/list"] == asked  # remembered
        assert bridge.api.get("/api/v1/events").json()["events"][0]["success"] is True


def test_a_cancel_waits_while_a_doors_gateway_is_offline(start_bridge: StartBridge) -> None:
    with feed_server() as feeds:
        bridge, grant, _ = a_current_stay(start_bridge, feeds, "out", no_callbacks)
        gone_once_and_minutes_pass(bridge, feeds)
        bridge.simulator.control("gateways/500001", {"online": False})
        assert bridge.api.post("/api/v1/locks/room-1/unlock").status_code == 502  # now known

        [waits] = sync(bridge)["feeds"][0]["steps"]

        assert (waits["action"], waits["grant_id"]) == ("waits_for_records", grant["id"])
        assert "gateway is offline" in waits["detail"]
        assert full_grant(bridge, grant["id"])["state"] == "active"


def test_a_begun_stay_moved_away_from_now_spares_a_guest_who_is_in(
    start_bridge: StartBridge,
) -> None:
    with feed_server() as feeds:
        bridge, grant, code = a_current_stay(start_bridge, feeds, "in")
        bridge.simulator.control(f"locks/{ROOM_1}/keypad", {"code": code})
        later = today() + timedelta(days=25)
        feeds.set("room-1.ics", airbnb(airbnb_reservation("in", later, later + timedelta(3))))

        [first] = sync(bridge)["feeds"][0]["steps"]
        minutes_later(bridge)
        [second] = sync(bridge)["feeds"][0]["steps"]

        assert (first["action"], first["grant_id"]) == ("move_waits", grant["id"])
        assert (second["action"], second["grant_id"]) == ("kept_guest_in", grant["id"])
        assert "moved by the feed" in second["detail"]
        kept = full_grant(bridge, grant["id"])
        assert (kept["state"], kept["end_ms"]) == ("active", grant["end_ms"])
        assert bridge.simulator.control(f"locks/{ROOM_1}/keypad", {"code": code})["opened"]


def test_a_cancel_waits_while_the_locks_records_cannot_be_read(start_bridge: StartBridge) -> None:
    with feed_server() as feeds:
        bridge, grant, code = a_current_stay(start_bridge, feeds, "out", no_callbacks)
        gone_once_and_minutes_pass(bridge, feeds)
        bridge.simulator.control(
            "faults", {"path": "/v3/lockRecord/list", "errcode": 30007, "count": 1000}
        )

        [waits] = sync(bridge)["feeds"][0]["steps"]
        [waits_again] = sync(bridge, dry_run=True)["feeds"][0]["steps"]

        assert (waits["action"], waits["grant_id"]) == ("waits_for_records", grant["id"])
        assert "records could not be read" in waits["detail"]
        assert waits_again["action"] == "waits_for_records"
        assert full_grant(bridge, grant["id"])["state"] == "active"
        assert code in codes_on(bridge, ROOM_1)
        line = {b["uid"]: b for b in overview(bridge)["bookings"]}["out@airbnb.com"]
        assert line["note"] == "gone from the feed; waits for the locks' records"

        bridge.simulator.control("faults/clear")
        [cancel] = sync(bridge)["feeds"][0]["steps"]

        assert (cancel["action"], cancel["grant_id"]) == ("cancel", grant["id"])
        assert full_grant(bridge, grant["id"])["state"] == "cancelled"
        journal = [(e["action"], e["uid"]) for e in overview(bridge)["events"]][:3]
        assert journal == [
            ("cancelled", "out@airbnb.com"),
            ("waits_for_records", "out@airbnb.com"),  # once, though two reads waited
            ("missing", "out@airbnb.com"),
        ]


def test_a_dry_run_says_what_would_happen_and_changes_nothing(start_bridge: StartBridge) -> None:
    with feed_server() as feeds:
        feeds.set("room-1.ics", airbnb())
        bridge = started(start_bridge, feeds)
        arrival = today() + timedelta(days=1)
        feeds.set(
            "room-1.ics", airbnb(airbnb_reservation("new", arrival, arrival + timedelta(days=1)))
        )

        [report] = sync(bridge, dry_run=True)["feeds"]

        assert [(s["action"], s["detail"]) for s in report["steps"]] == [
            ("create", "would create a grant")
        ]
        assert grants(bridge) == []
        assert overview(bridge)["bookings"] == []
