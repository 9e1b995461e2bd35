"""`/metrics` by prometheus_client: the bridge's own series, cloud call latency, process metrics.

Two kinds of series: those counted as things happen (`CloudCallMetrics`: latency per endpoint,
errors answered to API callers) and those read at scrape time from the store and the parts
(`MetricsSnapshot`: calls today and this month, the reconciler queue, grants by state,
callbacks). The snapshot's rendering (`snapshot_families`) is pure.
"""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import Iterator, Mapping
from dataclasses import dataclass

from prometheus_client import (
    CollectorRegistry,
    Histogram,
    ProcessCollector,
    disable_created_metrics,
    generate_latest,
)
from prometheus_client import Counter as PrometheusCounter
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric
from prometheus_client.registry import Collector

from ttlock_bridge.clock import Clock
from ttlock_bridge.cloud import CallOutcome
from ttlock_bridge.locks import Locks
from ttlock_bridge.operations.usage import CloudUsage
from ttlock_bridge.store import GrantState, PlacementStatus, Store
from ttlock_bridge.store.grants import list_grants
from ttlock_bridge.store.placements import list_placements

disable_created_metrics()  # type: ignore[no-untyped-call]  # no `_created` twin for every series: nothing here reads them

CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"

CLOUD_LATENCY_BUCKETS_S = (0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0)
"""Gateway commands take seconds (reference §12): the buckets reach to the client's timeout."""


@dataclass(frozen=True, slots=True)
class MetricsSnapshot:
    """What the store and the parts say at scrape time; counts, no units."""

    cloud_calls_today: Mapping[str, int]
    cloud_calls_month: Mapping[str, int]
    reconciler_queue: int
    grants_by_state: Mapping[str, int]
    callbacks: Mapping[str, int]
    door_gateways: Mapping[str, str | None]  # door -> "online" | "offline" | "none" | None
    clock_drifts: Mapping[str, int]  # door -> seconds its lock's clock was ahead at the check
    monthly_budget: int  # calls per billing month
    projected_month: int  # calls the month will end with at today's pace


def snapshot_families(snapshot: MetricsSnapshot) -> Iterator[Metric]:
    """The snapshot as Prometheus metric families (names kept from the first release)."""
    calls = GaugeMetricFamily(
        "ttlock_bridge_cloud_calls",
        "TTLock API calls per endpoint in the current UTC day, or billing month (Beijing time).",
        labels=["endpoint", "period"],
    )
    for period, counts in (
        ("day", snapshot.cloud_calls_today),
        ("month", snapshot.cloud_calls_month),
    ):
        for endpoint, count in sorted(counts.items()):
            calls.add_metric([endpoint, period], count)
    yield calls
    yield GaugeMetricFamily(
        "ttlock_bridge_reconciler_queue",
        "Placements waiting for the reconciler (intent or pending).",
        value=snapshot.reconciler_queue,
    )
    grants = GaugeMetricFamily("ttlock_bridge_grants", "Grants by state.", labels=["state"])
    for state, count in sorted(snapshot.grants_by_state.items()):
        grants.add_metric([state], count)
    yield grants
    callbacks = CounterMetricFamily(
        "ttlock_bridge_callbacks",
        "TTLock callbacks and their records since start, by outcome.",
        labels=["outcome"],
    )
    for outcome, count in sorted(snapshot.callbacks.items()):
        callbacks.add_metric([outcome], count)
    yield callbacks
    gateways = GaugeMetricFamily(
        "ttlock_bridge_door_gateway_online",
        "1 when a gateway that reaches the door's lock is online, 0 when it is offline or "
        "the lock has none; absent while unknown.",
        labels=["door"],
    )
    for door, reach in sorted(snapshot.door_gateways.items()):
        if reach is not None:
            gateways.add_metric([door], 1 if reach == "online" else 0)
    yield gateways
    drifts = GaugeMetricFamily(
        "ttlock_bridge_lock_clock_drift_seconds",
        "How far each lock's clock was ahead of TTLock's (negative: behind) at the last check, "
        "before the bridge set it.",
        labels=["door"],
    )
    for door, seconds in sorted(snapshot.clock_drifts.items()):
        drifts.add_metric([door], seconds)
    yield drifts
    yield GaugeMetricFamily(
        "ttlock_bridge_cloud_monthly_budget",
        "TTLock calls this bridge may spend per billing month ([cloud] monthly_budget).",
        value=snapshot.monthly_budget,
    )
    yield GaugeMetricFamily(
        "ttlock_bridge_cloud_calls_projected_month",
        "TTLock calls the billing month will end with at this month's pace so far.",
        value=snapshot.projected_month,
    )


class CloudCallMetrics:
    """Counted as calls happen: made before the cloud client, which reports to `observe`."""

    def __init__(self, registry: CollectorRegistry) -> None:
        self._latency = Histogram(
            "ttlock_bridge_cloud_call_seconds",
            "Time from sending a TTLock API request to its answer or failure, by endpoint.",
            ["endpoint"],
            buckets=CLOUD_LATENCY_BUCKETS_S,
            registry=registry,
        )
        self._errors = PrometheusCounter(
            "ttlock_bridge_cloud_errors",
            "TTLock errors answered to API callers since start, by errcode (none: no answer).",
            ["errcode"],
            registry=registry,
        )

    def observe(self, call: CallOutcome) -> None:
        self._latency.labels(call.endpoint).observe(call.seconds)

    def count_error(self, errcode: int | None) -> None:
        self._errors.labels("none" if errcode is None else str(errcode)).inc()


class Metrics:
    """The `/metrics` page: `render()` reads the snapshot, then the whole registry."""

    def __init__(
        self,
        *,
        cloud_calls: CloudCallMetrics,
        registry: CollectorRegistry,
        usage: CloudUsage,
        store: Store,
        locks: Locks,
        clock: Clock,
    ) -> None:
        self.cloud_calls = cloud_calls
        self._registry = registry
        self._usage = usage
        self._store = store
        self._locks = locks
        self._clock = clock
        self._scraped = _SnapshotCollector()
        registry.register(self._scraped)

    @staticmethod
    def new_registry() -> CollectorRegistry:
        """A registry of this bridge's own (tests run several bridges in one process)."""
        registry = CollectorRegistry()
        ProcessCollector(registry=registry)
        return registry

    async def render(self) -> bytes:
        """The Prometheus text format (`CONTENT_TYPE`)."""
        usage = await self._usage.usage()
        budget = self._usage.budget()
        queue, grants = await asyncio.to_thread(self._ledger_counts)
        self._scraped.snapshot = MetricsSnapshot(
            cloud_calls_today=usage.today,
            cloud_calls_month=usage.this_month,
            reconciler_queue=queue,
            grants_by_state=grants,
            callbacks=dict(self._locks.intake.counts),
            door_gateways=self._locks.door_gateways(),
            clock_drifts=self._locks.clock_drifts(),
            monthly_budget=budget.budget,
            projected_month=budget.projected,
        )
        return generate_latest(self._registry)

    def _ledger_counts(self) -> tuple[int, dict[str, int]]:
        now_ms = self._clock()
        with self._store.transaction() as session:
            waiting = list_placements(
                session, statuses={PlacementStatus.INTENT, PlacementStatus.PENDING}
            )
            states: Counter[str] = Counter({"active": 0, "ended": 0, "cancelled": 0})
            for grant in list_grants(session):
                ended = grant.state is GrantState.ACTIVE and grant.end_ms <= now_ms
                states["ended" if ended else grant.state.value] += 1
        return len(waiting), dict(states)


class _SnapshotCollector(Collector):
    snapshot: MetricsSnapshot | None = None

    def collect(self) -> Iterator[Metric]:
        if self.snapshot is not None:
            yield from snapshot_families(self.snapshot)
