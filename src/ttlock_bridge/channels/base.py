"""What every long-running channel offers the service: start, stop, readiness, lock news."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol


@dataclass(frozen=True, slots=True)
class ChannelStatus:
    """A channel's readiness as `/readyz` reports it: `detail` says why when not ready."""

    name: str
    ready: bool
    detail: str


@dataclass(frozen=True, slots=True)
class LockNews:
    """Something new about a lock for channels to publish. Never carries a passcode."""

    lock_id: int
    door: str | None
    bolt: str | None  # "locked" | "unlocked" | None when unknown
    battery: int | None
    event_text: str | None  # short and human, e.g. "PIN R12" or "remote unlock"
    inferred: bool = False  # true when the state was deduced (auto-lock timer), not reported


class Channel(Protocol):
    """A background adapter the service starts and stops with itself."""

    name: str

    async def start(self) -> None: ...

    async def stop(self) -> None: ...

    def status(self) -> ChannelStatus: ...

    async def publish(self, news: LockNews) -> None: ...
