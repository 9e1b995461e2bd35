"""Payloads as real locks send them (issue 11), on the running bridge over the simulator: room-1
is an "older" lock (detail without autoLockTime and with unknown flags, passage mode with nulls,
records without recordId, a battery read days ago), and TTLock may answer a login with the
token it already gave. What the API shows on each."""

from __future__ import annotations

import asyncio
import time
from datetime import UTC, date, datetime, timedelta
from typing import Any

from conftest import RunningSimulator
from service.bridge import MAIN_ENTRANCE, ROOM_1, MovableClock, RunningBridge, StartBridge
from service.test_callback import callback_form, now_ms
from service.test_callback_trust import events, wait_for
from service.test_end_to_end import eventually
from service.test_occupancy import occupancy
from simulator.client import login
from ttlock_bridge.access import RoomState
from ttlock_bridge.locks import LockNews
from ttlock_bridge.locks.state import UNKNOWN_AUTO_LOCK_WINDOW_S
from ttlock_bridge.simulator import Scenario
from ttlock_bridge.simulator.scenario import ClockConfig, Settings
from ttlock_bridge.store.token_store import DatabaseTokenStore

MAIN_ENTRANCE_MAC = "ED:AE:90:63:CE:01"
DAY_MS = 24 * 3_600_000
WINDOW_MS = UNKNOWN_AUTO_LOCK_WINDOW_S * 1000


def older_room_1(scenario: Scenario) -> Scenario:
    locks = [
        lock.model_copy(update={"payloads": "older"}) if lock.id == ROOM_1 else lock
        for lock in scenario.locks
    ]
    return scenario.model_copy(update={"locks": locks})


def state(bridge: RunningBridge, door: str = "room-1") -> dict[str, Any]:
    answer: dict[str, Any] = bridge.api.get(f"/api/v1/locks/{door}/state").json()
    return answer


def post(bridge: RunningBridge, **record: Any) -> None:
    response = bridge.anonymous.post("/ttlock/callback", data=callback_form(**record))
    assert response.text == "success", response.text


def warm(bridge: RunningBridge) -> None:
    """The start-up refresh has read the lock list and every door's detail."""
    wait_for(lambda: bridge.simulator.state()["calls"].get("/v3/lock/detail", 0) >= 7)


class LockNewsRecorder:
    name = "recorder"

    def __init__(self) -> None:
        self.news: list[LockNews] = []

    async def publish(self, news: LockNews) -> None:
        self.news.append(news)


# --- a door whose auto-lock time is unknown -------------------------------------------------


def test_an_unlock_with_unknown_auto_lock_time_reads_unknown_once_its_window_passed(
    start_bridge: StartBridge,
) -> None:
    bridge = start_bridge(older_room_1)
    three_minutes_ago = now_ms() // 1000 * 1000 - 180_000

    post(bridge, lockDate=three_minutes_ago, serverDate=three_minutes_ago + 5_000)
    post(
        bridge,
        lock_id=MAIN_ENTRANCE,
        mac=MAIN_ENTRANCE_MAC,
        lockDate=three_minutes_ago,
        serverDate=three_minutes_ago + 5_000,
    )

    older, current = state(bridge), state(bridge, "main-entrance")
    assert (older["bolt"], older["bolt_source"], older["bolt_inferred"]) == (
        "unknown",
        "auto-lock",
        True,
    )
    assert (current["bolt"], current["bolt_inferred"]) == ("locked", True)  # autoLockTime 5 s


def test_a_fresh_unlock_with_unknown_auto_lock_time_reads_unlocked_then_unknown_with_news(
    start_bridge: StartBridge,
) -> None:
    bridge = start_bridge(older_room_1)
    recorder = LockNewsRecorder()
    bridge.runtime.locks.subscribe(recorder)
    almost_window_ago = now_ms() // 1000 * 1000 - WINDOW_MS + 8_000  # 8 s of it left

    post(bridge, lockDate=almost_window_ago, serverDate=almost_window_ago + 1_000)

    assert (state(bridge)["bolt"], state(bridge)["bolt_inferred"]) == ("unlocked", False)
    assert eventually(lambda: state(bridge)["bolt"] == "unknown", timeout_s=20)
    news = eventually(lambda: [n for n in recorder.news if n.event_text == "state unknown"])
    assert (news[0].bolt, news[0].inferred, news[0].door) == ("unknown", True, "room-1")
    assert news[0].event_method is None  # the lock did nothing: no event, only a state


def test_a_remote_unlock_of_an_older_lock_reads_unlocked_at_first(
    start_bridge: StartBridge,
) -> None:
    bridge = start_bridge(older_room_1)
    warm(bridge)

    assert bridge.api.post("/api/v1/locks/room-1/unlock").status_code == 200
    wait_for(lambda: len(events(bridge)) == 1)  # the simulator's callback, without recordId

    shown = state(bridge)
    assert (shown["bolt"], shown["bolt_inferred"]) == ("unlocked", False)
    assert bridge.api.get("/api/v1/locks/room-1").json()["auto_lock_seconds"] is None


# --- flags the lock never reported ----------------------------------------------------------


def test_flags_an_older_lock_reports_as_0_read_as_unknown_never_as_off(
    start_bridge: StartBridge,
) -> None:
    bridge = start_bridge(older_room_1)

    detail = bridge.api.get("/api/v1/locks/room-1").json()
    compat = bridge.api.get(f"/{ROOM_1}").json()
    current = bridge.api.get(f"/{MAIN_ENTRANCE}").json()

    assert (detail["auto_lock_seconds"], detail["tamper_alert"]) == (None, None)
    assert (compat["autoLockTime"], compat["tamperAlert"]) == (None, 0)  # TTLock's "unknown"
    assert (current["autoLockTime"], current["tamperAlert"]) == (5, 1)
    assert bridge.api.get("/api/v1/locks/main-entrance").json()["tamper_alert"] is True


# --- passage mode with nulls ----------------------------------------------------------------


def test_a_passage_mode_configuration_with_nulls_and_gaps_reads_as_no_schedule(
    start_bridge: StartBridge,
) -> None:
    bridge = start_bridge(older_room_1)

    response = bridge.api.get("/api/v1/locks/room-1/passage-mode")

    assert response.status_code == 200
    assert {key: value for key, value in response.json().items() if key != "as_of"} == {
        "enabled": False,
        "all_day": None,
        "start": None,
        "end": None,
        "week_days": [],
        "auto_unlock": False,
    }


# --- records without recordId ---------------------------------------------------------------


def test_a_redelivered_callback_without_record_id_is_applied_once(
    start_bridge: StartBridge,
) -> None:
    bridge = start_bridge(older_room_1)
    recorder = LockNewsRecorder()
    bridge.runtime.locks.subscribe(recorder)
    simulator = bridge.simulator
    assert simulator.control(f"locks/{ROOM_1}/keypad", {"code": "24681357"})["opened"] is False
    wait_for(lambda: len(events(bridge)) == 1)

    assert simulator.control("callbacks/redeliver") == {"redelivered": True}

    wait_for(lambda: simulator.state()["callbacks"]["delivered"] == 2)  # "success" both times
    assert len(events(bridge)) == 1
    told = [news.event_method for news in recorder.news if news.event_method]
    assert told == ["PIN REFUSED"]  # the channels heard of the record once
    assert (
        'ttlock_bridge_callbacks_total{outcome="duplicate"} 1.0' in bridge.api.get("/metrics").text
    )


def test_a_guest_code_on_an_older_lock_makes_the_stay_in_house(
    start_bridge: StartBridge,
) -> None:
    bridge = start_bridge(older_room_1)
    today = date.today()
    created = bridge.api.post(
        "/api/v1/grants",
        json={
            "room": "room-1",
            "start": f"{today - timedelta(days=1)}T00:00",
            "end": (today + timedelta(days=2)).isoformat(),
            "name": "Smith",
        },
    )
    assert created.status_code == 201, created.text
    stay = created.json()
    assert occupancy(bridge, "room-1").state is RoomState.ARRIVING

    opened = bridge.simulator.control(f"locks/{ROOM_1}/keypad", {"code": stay["code"]})

    assert opened["opened"] is True
    in_house = eventually(
        lambda: (found := occupancy(bridge, "room-1")).state is RoomState.IN_HOUSE and found
    )
    assert in_house.first_use_ms is not None
    [event] = events(bridge)
    assert event["text"].startswith("passcode ")
    assert "Smith" in event["text"]


# --- the battery carries its own date -------------------------------------------------------


def test_the_battery_keeps_its_own_date_and_a_newer_callback_wins(
    start_bridge: StartBridge,
) -> None:
    clock = MovableClock()
    bridge = start_bridge(older_room_1, clock=clock)
    warm(bridge)
    read_at_ms = next(
        lock["batteryAt"] for lock in bridge.simulator.state()["locks"] if lock["lockId"] == ROOM_1
    )

    listed = state(bridge)
    compat = bridge.api.get(f"/{ROOM_1}").json()

    assert (listed["battery"], listed["battery_source"]) == (89, "cloud")
    assert iso_ms(listed["battery_at"]) == read_at_ms // 1000 * 1000  # six days old
    assert now_ms() - read_at_ms > 5 * DAY_MS
    assert (compat["electricQuantity"], compat["electricQuantityUpdateDate"]) == (89, read_at_ms)

    heard_ms = now_ms()
    post(bridge, electricQuantity=64, serverDate=heard_ms, lockDate=heard_ms // 1000 * 1000)
    clock.advance(61_000)  # ?refresh=true reads values a minute old
    bridge.api.get("/api/v1/locks", params={"refresh": "true"})  # the list's 89, days old

    shown = state(bridge)
    assert (shown["battery"], shown["battery_source"]) == (64, "callback")
    assert iso_ms(shown["battery_at"]) == heard_ms // 1000 * 1000
    door = next(d for d in bridge.api.get("/api/v1/locks").json() if d["door"] == "room-1")
    assert door["battery"] == 64
    compat = bridge.api.get(f"/{ROOM_1}").json()
    assert (compat["electricQuantity"], compat["electricQuantityUpdateDate"]) == (64, heard_ms)


def iso_ms(text: str) -> int:
    return int(datetime.fromisoformat(text).timestamp() * 1000)


# --- a login answered with the token already given ------------------------------------------


def test_a_login_answered_with_the_existing_token_is_renewed_before_its_real_end(
    start_bridge: StartBridge,
) -> None:
    issued: dict[str, int] = {}
    clock = MovableClock()
    bridge = start_bridge(
        eighty_days_ago_reusing_tokens,
        before_start=lambda simulator: log_in_then_wait_80_days(simulator, issued),
        clock=clock,
    )
    clock.advance(61_000)  # ?refresh=true reads values a minute old
    assert bridge.api.get("/api/v1/locks", params={"refresh": "true"}).status_code == 200

    stored = load_token(bridge)
    assert bridge.simulator.state()["token_grants"] == {"password": 2, "refresh_token": 0}
    real_end_ms = issued["at_ms"] + 90 * DAY_MS
    assert abs(stored.expires_at_ms - real_end_ms) < 5_000  # 10 days left, not 90

    bridge.simulator.control("clock", {"advance_ms": 9 * DAY_MS + 12 * 3_600_000})
    for _ in range(5):  # the first call may meet the jump (80000) and align the clock
        clock.advance(61_000)
        bridge.api.get("/api/v1/locks", params={"refresh": "true"})
        if bridge.simulator.state()["token_grants"]["refresh_token"]:
            break
        time.sleep(0.1)

    assert bridge.simulator.state()["token_grants"] == {"password": 2, "refresh_token": 1}
    renewed = load_token(bridge)
    assert renewed.access_token != stored.access_token
    assert renewed.expires_at_ms - renewed.issued_at_ms > 89 * DAY_MS


def eighty_days_ago_reusing_tokens(scenario: Scenario) -> Scenario:
    """TTLock's clock starts 80 days ago, and a login answers the token still valid."""
    start = datetime.now(UTC) - timedelta(days=80)
    return scenario.model_copy(
        update={"clock": ClockConfig(start=start), "settings": Settings(reuse_tokens=True)}
    )


def log_in_then_wait_80_days(simulator: RunningSimulator, issued: dict[str, int]) -> None:
    """Another client of the same app logs in 80 days ago; then TTLock's clock is today's
    (the bridge starts with its own clock and TTLock's in agreement)."""
    issued["at_ms"] = simulator.state()["now_ms"]
    assert login(simulator.base_url)["expires_in"] == 7_776_000
    simulator.control("clock", {"now_ms": now_ms()})


def load_token(bridge: RunningBridge) -> Any:
    tokens = DatabaseTokenStore(bridge.runtime.store, bridge.simulator.base_url, "demo@example.com")
    token = asyncio.run(tokens.load())
    assert token is not None
    return token
