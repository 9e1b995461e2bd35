"""The usage ledger: every call counted in the UTC day and the Beijing billing month in which it
was made, whenever the flush comes, and from every process that uses the account."""

from __future__ import annotations

from datetime import UTC, datetime

from ttlock_bridge.cloud import CallOutcome
from ttlock_bridge.operations.usage import CloudUsage
from ttlock_bridge.store import Store


class Clock:
    def __init__(self, at: str) -> None:
        self.now_ms = ms(at)

    def __call__(self) -> int:
        return self.now_ms

    def set(self, at: str) -> None:
        self.now_ms = ms(at)


def ms(text: str) -> int:
    return int(datetime.fromisoformat(text).astimezone(UTC).timestamp() * 1000)


def call(endpoint: str = "/v3/lock/unlock", errcode: int | None = None) -> CallOutcome:
    return CallOutcome(endpoint, 0.1, lock_id=1, errcode=errcode, answered=True)


async def test_a_call_in_the_last_minute_before_midnight_counts_on_its_own_day(
    store: Store,
) -> None:
    clock = Clock("2026-11-20T23:59:30+00:00")
    usage = CloudUsage(store, 20_000, clock=clock)
    await usage.flush()
    usage.observe(call())

    clock.set("2026-11-21T00:00:30+00:00")  # the next flush comes after midnight
    usage.observe(call("/v3/lock/list"))
    counted = await usage.usage()

    assert counted.day == "2026-11-21"
    assert counted.today == {"/v3/lock/list": 1}
    assert counted.this_month == {"/v3/lock/list": 1, "/v3/lock/unlock": 1}
    clock.set("2026-11-20T12:00:00+00:00")
    assert (await usage.usage()).today == {"/v3/lock/unlock": 1}


async def test_the_billing_month_turns_at_midnight_in_beijing_for_unflushed_calls_too(
    store: Store,
) -> None:
    clock = Clock("2026-11-30T15:59:59+00:00")
    usage = CloudUsage(store, 1, clock=clock)
    usage.observe(call())

    clock.set("2026-11-30T16:00:01+00:00")  # 00:00:01 on 1 December in Beijing
    assert usage.budget().used == 0  # November's call is not December's
    counted = await usage.usage()

    assert (counted.month, counted.this_month) == ("2026-12", {})
    assert usage.optional_reads_allowed()


async def test_calls_of_every_process_on_one_store_share_the_budget(store: Store) -> None:
    clock = Clock("2026-11-20T10:00:00+00:00")
    service = CloudUsage(store, 3, clock=clock)
    command_line = CloudUsage(store, 3, clock=clock)
    service.observe(call())
    command_line.observe(call("/v3/lock/list"))
    command_line.observe(call("/v3/lock/list"))

    await command_line.flush()  # the CLI command ends
    await service.flush()

    assert service.budget().used == 3
    assert not service.optional_reads_allowed()
    assert (await command_line.usage()).today == {"/v3/lock/list": 2, "/v3/lock/unlock": 1}


async def test_ttlocks_limit_answer_spends_the_month(store: Store) -> None:
    usage = CloudUsage(store, 20_000, clock=Clock("2026-11-20T10:00:00+00:00"))

    usage.observe(call(errcode=30007))

    assert usage.budget().refused
    assert not usage.optional_reads_allowed()


async def test_ttlocks_limit_answer_is_remembered_by_every_process_and_restart(
    store: Store,
) -> None:
    clock = Clock("2026-11-20T10:00:00+00:00")
    command_line = CloudUsage(store, 20_000, clock=clock)
    command_line.observe(call(errcode=30006))
    await command_line.flush()

    restarted_service = CloudUsage(store, 20_000, clock=clock)
    await restarted_service.flush()

    assert restarted_service.budget().refused
    assert (await restarted_service.usage()).this_month == {"/v3/lock/unlock": 1}
    clock.set("2026-12-02T10:00:00+00:00")  # a new billing month
    assert not restarted_service.budget().refused
