"""The keeper's auto-lock news (`locks/keeper.py`): the inferred state is announced when it
becomes true by the bridge's clock (wall time), even when the event loop's timer, which runs on
another clock, wakes before it (a wall clock stepped back, or slewed by NTP)."""

from __future__ import annotations

import asyncio

from ttlock_bridge.cloud import BoltState
from ttlock_bridge.locks import LockNews
from ttlock_bridge.locks.keeper import StateKeeper
from ttlock_bridge.locks.state import UNKNOWN_AUTO_LOCK_WINDOW_S, AutoLock, LockStates

LOCK = 7
START_MS = 1_800_000_000_000
WINDOW_MS = UNKNOWN_AUTO_LOCK_WINDOW_S * 1000


class SteppedClock:
    """Wall time that moves only when the test says so."""

    def __init__(self, now_ms: int) -> None:
        self.now_ms = now_ms

    def __call__(self) -> int:
        return self.now_ms


async def a_window_that_ends_while_the_wall_clock_is_stepped_back() -> list[LockNews]:
    clock, news = SteppedClock(START_MS), list[LockNews]()

    async def publish(item: LockNews) -> None:
        news.append(item)

    keeper = StateKeeper(LockStates(), publish, clock, lambda _: "room-1")
    await keeper.observe(
        LOCK,
        source="callback",
        at_ms=START_MS,
        happened_at_ms=START_MS - WINDOW_MS + 50,  # the window ends in 50 ms
        bolt=BoltState.UNLOCKED,
        auto_lock_seconds=AutoLock.UNKNOWN,
        event_text="unlock",
    )
    clock.now_ms -= 1_000  # stepped back: the loop's 50 ms pass, the wall's do not
    await asyncio.sleep(0.3)
    announced_early = [n for n in news if n.event_text == "state unknown"]
    clock.now_ms = START_MS + 2_000  # the wall clock has caught up
    await asyncio.sleep(1.5)
    await keeper.close()
    return announced_early + [n for n in news if n.event_text == "state unknown"]


def test_the_unknown_state_is_announced_once_the_wall_clock_reaches_the_window_end() -> None:
    news = asyncio.run(a_window_that_ends_while_the_wall_clock_is_stepped_back())

    assert [(n.bolt, n.inferred, n.door) for n in news] == [("unknown", True, "room-1")]
