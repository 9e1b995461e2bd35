"""Durations as the file writes them: `"30s"`, `"15m"`, `"6h"`, `"2d"` (one unit letter, a
whole number), and bounds said in the same words ("write a duration of at least 30s")."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Annotated

from pydantic import AfterValidator, BeforeValidator

_DURATION = re.compile(r"(?P<amount>\d+)\s*(?P<unit>[smhd])")
_DURATION_UNITS = {
    "s": timedelta(seconds=1),
    "m": timedelta(minutes=1),
    "h": timedelta(hours=1),
    "d": timedelta(days=1),
}


def parse_duration(value: object) -> object:
    """`"24h"`, `"90m"`, `"2d"`, `"30s"` -> timedelta: one unit letter, no floats, no
    combinations. A timedelta (from code, never from TOML) is taken as it is."""
    if isinstance(value, timedelta):
        return value
    if not isinstance(value, str):
        raise ValueError('expected a duration like "24h", "90m" or "2d"')
    match = _DURATION.fullmatch(value.strip())
    if match is None:
        raise ValueError('expected a duration like "24h", "90m" or "2d"')
    return int(match["amount"]) * _DURATION_UNITS[match["unit"]]


def at_least(least: timedelta) -> AfterValidator:
    """A duration bound that speaks the file's language: "write a duration of at least 30s"."""

    def check(value: timedelta) -> timedelta:
        if value < least:
            raise ValueError(f"write a duration of at least {duration_text(least)}")
        return value

    return AfterValidator(check)


def duration_text(duration: timedelta) -> str:
    """A duration as the file writes it: "30s", "15m", "6h", "2d" (and "0s")."""
    seconds = int(duration.total_seconds())
    for unit, size in (("d", 86_400), ("h", 3_600), ("m", 60)):
        if seconds and seconds % size == 0:
            return f"{seconds // size}{unit}"
    return f"{seconds}s"


Duration = Annotated[timedelta, BeforeValidator(parse_duration)]
Period = Annotated[Duration, at_least(timedelta(seconds=1))]
"""A duration of something that repeats or lasts: zero would mean "all the time"."""
