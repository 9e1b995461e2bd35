"""`/metrics` in the Prometheus text format, written by hand (no client library needed).

Pure: the service gathers the numbers, this module only renders them.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class MetricsSnapshot:
    cloud_calls_today: Mapping[str, int]
    cloud_calls_month: Mapping[str, int]
    cloud_errors: Mapping[int | None, int]
    reconciler_queue: int
    grants_by_state: Mapping[str, int]
    callbacks: Mapping[str, int]


def render(snapshot: MetricsSnapshot) -> str:
    lines: list[str] = []
    _gauge(
        lines,
        "ttlock_bridge_cloud_calls",
        "TTLock API calls per endpoint in the current UTC day or month.",
        [
            ({"endpoint": e, "period": "day"}, n)
            for e, n in sorted(snapshot.cloud_calls_today.items())
        ]
        + [
            ({"endpoint": e, "period": "month"}, n)
            for e, n in sorted(snapshot.cloud_calls_month.items())
        ],
    )
    _counter(
        lines,
        "ttlock_bridge_cloud_errors_total",
        "TTLock errors answered to API callers since start, by errcode (none: no answer).",
        [
            ({"errcode": "none" if code is None else str(code)}, n)
            for code, n in sorted(snapshot.cloud_errors.items(), key=lambda item: str(item[0]))
        ],
    )
    _gauge(
        lines,
        "ttlock_bridge_reconciler_queue",
        "Placements waiting for the reconciler (intent or pending).",
        [({}, snapshot.reconciler_queue)],
    )
    _gauge(
        lines,
        "ttlock_bridge_grants",
        "Grants by state.",
        [({"state": s}, n) for s, n in sorted(snapshot.grants_by_state.items())],
    )
    _counter(
        lines,
        "ttlock_bridge_callbacks_total",
        "TTLock callbacks and their records since start, by outcome.",
        [({"outcome": o}, n) for o, n in sorted(snapshot.callbacks.items())],
    )
    return "\n".join(lines) + "\n"


Sample = tuple[Mapping[str, str], int]


def _gauge(lines: list[str], name: str, help_text: str, samples: Iterable[Sample]) -> None:
    _family(lines, name, "gauge", help_text, samples)


def _counter(lines: list[str], name: str, help_text: str, samples: Iterable[Sample]) -> None:
    _family(lines, name, "counter", help_text, samples)


def _family(
    lines: list[str], name: str, kind: str, help_text: str, samples: Iterable[Sample]
) -> None:
    lines += [f"# HELP {name} {help_text}", f"# TYPE {name} {kind}"]
    for labels, value in samples:
        rendered = ",".join(f'{key}="{_escape(text)}"' for key, text in labels.items())
        lines.append(f"{name}{{{rendered}}} {value}" if rendered else f"{name} {value}")


def _escape(label: str) -> str:
    return label.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
