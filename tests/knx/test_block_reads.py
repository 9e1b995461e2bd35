"""How the bridge learns a room block's values over a real knxd: read at connect, a slow panel
waited for as long as KNX tooling waits, optional time objects that never answer taken as absent
(fast triggers), and every default said on the status object and in the log."""

from __future__ import annotations

import asyncio
import datetime
import logging
import time
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from pathlib import Path

import pytest

from conftest import StartSimulator
from ttlock_bridge.channels.knx.channel import READ_TIMEOUT_SECONDS
from ttlock_bridge.channels.knx.dpt import Dpt

from .knxd import RunningKnxd
from .panel import Panel
from .site import RunningChannel, running_channel, tunnel_to, tunnelling, write_config
from .test_tunnelling import (
    CODE,
    FROM_DATE,
    FROM_TIME,
    TO_DATE,
    TO_TIME,
    TRIGGER,
    days_from_today,
    final_status,
)

LATE_S = 1.5


def hold_stay(panel: Panel, *, times: bool) -> None:
    """What the panel holds (never written while the bridge listens): an empty code, the dates,
    and the 14:00 / 10:00 times unless this site has no time objects."""
    panel.hold(CODE, Dpt.TEXT, "")
    panel.hold(FROM_DATE, Dpt.DATE, days_from_today(1))
    panel.hold(TO_DATE, Dpt.DATE, days_from_today(3))
    if times:
        panel.hold(FROM_TIME, Dpt.TIME, datetime.time(14, 0))
        panel.hold(TO_TIME, Dpt.TIME, datetime.time(10, 0))


@asynccontextmanager
async def panel_then_bridge(
    tmp_path: Path,
    knxd: RunningKnxd,
    start_simulator: StartSimulator,
    prepare: Callable[[Panel], None],
) -> AsyncIterator[tuple[Panel, RunningChannel]]:
    """The panel is on the bus with its values first, as a LogicMachine is; then the bridge
    starts (and reads the block)."""
    simulator = start_simulator()
    config = write_config(tmp_path, simulator.base_url, tunnelling(knxd.port))
    async with Panel(tunnel_to(knxd.port)) as panel:
        prepare(panel)
        async with running_channel(config, simulator.base_url) as bridge:
            yield panel, bridge


async def trigger(panel: Panel) -> tuple[object, float]:
    started = time.perf_counter()
    panel.write(TRIGGER, Dpt.SWITCH, True)
    word = await final_status(panel)
    return word, time.perf_counter() - started


def slow_panel(panel: Panel) -> None:
    hold_stay(panel, times=True)
    panel.answer_delay_s = LATE_S


def test_the_read_timeout_is_what_knx_tooling_waits() -> None:
    assert 2.0 <= READ_TIMEOUT_SECONDS <= 3.0
    assert LATE_S < READ_TIMEOUT_SECONDS


async def test_a_panel_answering_late_right_after_start_is_waited_for_not_defaulted(
    tmp_path: Path, knxd: RunningKnxd, start_simulator: StartSimulator
) -> None:
    async with panel_then_bridge(tmp_path, knxd, start_simulator, slow_panel) as (panel, bridge):
        word, _ = await trigger(panel)

        assert word == "OK 2 DOORS"
        [grant] = await bridge.access.grants.find(room="room-1")
        assert grant.start_local == f"{days_from_today(1)} 14:00"
        assert grant.end_local == f"{days_from_today(3)} 10:00"


async def test_values_read_at_start_are_known_so_a_later_trigger_is_fast_and_right(
    tmp_path: Path, knxd: RunningKnxd, start_simulator: StartSimulator
) -> None:
    async with panel_then_bridge(tmp_path, knxd, start_simulator, slow_panel) as (panel, bridge):
        deadline = time.monotonic() + READ_TIMEOUT_SECONDS + 2  # the start's reads run beside
        while not {FROM_DATE, FROM_TIME, TO_DATE, TO_TIME} <= set(panel.reads):
            assert time.monotonic() < deadline, panel.reads
            await asyncio.sleep(0.05)
        await asyncio.sleep(LATE_S + 0.3)
        reads_before = len(panel.reads)

        word, elapsed = await trigger(panel)

        assert word == "OK 2 DOORS"
        assert elapsed < LATE_S  # no read at the trigger, so no waiting for the slow panel
        assert len(panel.reads) == reads_before
        [grant] = await bridge.access.grants.find(room="room-1")
        assert grant.start_local == f"{days_from_today(1)} 14:00"


async def test_time_objects_that_never_answer_are_absent_and_the_default_is_said(
    tmp_path: Path,
    knxd: RunningKnxd,
    start_simulator: StartSimulator,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.INFO, logger="ttlock_bridge.knx")

    def no_time_objects(panel: Panel) -> None:
        hold_stay(panel, times=False)

    async with panel_then_bridge(tmp_path, knxd, start_simulator, no_time_objects) as (
        panel,
        bridge,
    ):
        await asyncio.sleep(READ_TIMEOUT_SECONDS + 0.3)  # the start reads have timed out
        reads_before = len(panel.reads)

        word, elapsed = await trigger(panel)

        assert word == "OK STD TIMES"
        assert len(panel.reads) == reads_before  # absent: not read again, nothing waited for
        assert elapsed < READ_TIMEOUT_SECONDS - 0.5  # tens of ms on a quiet machine
        [grant] = await bridge.access.grants.find(room="room-1")
        assert grant.start_local == f"{days_from_today(1)} 15:00"  # [defaults] check_in
        assert grant.end_local == f"{days_from_today(3)} 11:00"
    used = [record.getMessage() for record in caplog.records if "knx_default_used" in record.msg]
    assert used == [
        f"event=knx_default_used room=room-1 grant_id={grant.id} objects=from_time,to_time "
        "defaults=check_in=15:00,check_out=11:00 reason=time object never answered a read"
    ]


async def test_a_trigger_before_the_start_reads_timed_out_waits_at_most_the_read_timeout(
    tmp_path: Path, knxd: RunningKnxd, start_simulator: StartSimulator
) -> None:
    def no_time_objects(panel: Panel) -> None:
        hold_stay(panel, times=False)

    async with panel_then_bridge(tmp_path, knxd, start_simulator, no_time_objects) as (panel, _):
        word, elapsed = await trigger(panel)

    assert word == "OK STD TIMES"
    assert elapsed < READ_TIMEOUT_SECONDS + 1.0


async def test_a_time_written_after_it_was_taken_as_absent_is_used(
    tmp_path: Path, knxd: RunningKnxd, start_simulator: StartSimulator
) -> None:
    def no_time_objects(panel: Panel) -> None:
        hold_stay(panel, times=False)

    async with panel_then_bridge(tmp_path, knxd, start_simulator, no_time_objects) as (
        panel,
        bridge,
    ):
        await asyncio.sleep(READ_TIMEOUT_SECONDS + 0.3)
        panel.write(FROM_TIME, Dpt.TIME, datetime.time(13, 0))
        panel.write(TO_TIME, Dpt.TIME, datetime.time(9, 0))
        await asyncio.sleep(0.1)

        word, _ = await trigger(panel)

        assert word == "OK 2 DOORS"
        [grant] = await bridge.access.grants.find(room="room-1")
        assert grant.start_local == f"{days_from_today(1)} 13:00"
