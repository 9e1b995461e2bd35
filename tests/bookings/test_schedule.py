"""When feeds are read (poll interval with jitter), and when a failing feed makes the service
not ready: pure rules, exhaustively."""

from __future__ import annotations

import random
from dataclasses import replace

from hypothesis import given
from hypothesis import strategies as st

from ttlock_bridge.bookings.sync import FIRST_READ_WITHIN_S, JITTER, FeedStatus, next_read_ms

MINUTE = 60_000


@given(
    st.integers(1, 24 * 60),
    st.one_of(st.none(), st.integers(0, 10**6)),
    st.integers(0, 10**6),
    st.integers(0, 2**32),
)
def test_reads_come_a_poll_interval_apart_give_or_take_a_tenth(
    poll_minutes: int, last_minutes: int | None, now_minutes: int, seed: int
) -> None:
    poll_ms = poll_minutes * MINUTE
    last_ms = None if last_minutes is None else last_minutes * MINUTE
    status = FeedStatus("room-1", "abc", "https://x/…#abc", poll_ms, last_attempt_ms=last_ms)
    now_ms = max(now_minutes * MINUTE, last_ms or 0)

    due = next_read_ms(status, now_ms, random.Random(seed))

    in_soon = now_ms <= due <= now_ms + FIRST_READ_WITHIN_S * 1000
    if last_ms is None:
        assert in_soon  # never read: soon after start
        return
    earliest, latest = last_ms + poll_ms * (1 - JITTER), last_ms + poll_ms * (1 + JITTER)
    in_interval = now_ms < due and earliest - 1 <= due <= latest
    if earliest > now_ms:
        assert in_interval  # not due yet: a poll interval after the last try, give or take
    elif latest <= now_ms:
        assert in_soon  # overdue (e.g. after a restart): soon
    else:
        assert in_interval or in_soon


def test_a_failing_feed_is_stale_after_three_poll_intervals_without_a_success() -> None:
    poll = 15 * MINUTE
    read = FeedStatus("room-1", "abc", "x", poll, last_success_ms=0, failures=0)
    failing = FeedStatus("room-1", "abc", "x", poll, last_success_ms=0, failures=2)
    never = FeedStatus("room-1", "abc", "x", poll, failures=1)

    assert not read.stale(10 * poll)
    assert not failing.stale(3 * poll)
    assert failing.stale(3 * poll + 1)
    # a feed never read yet: one wrong link does not take the whole bridge out of a load
    # balancer at its first read, three failed reads in a row do
    assert not never.stale(0)
    assert not replace(never, failures=2).stale(0)
    assert replace(never, failures=3).stale(0)
