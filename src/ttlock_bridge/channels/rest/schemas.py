"""Request and response bodies of the REST API. Times go out as ISO 8601 in the property's
zone (and as epoch ms where a machine wants to compute); passcodes only where asked for."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal
from zoneinfo import ZoneInfo

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, StringConstraints

from ttlock_bridge.access import CleanupReport, DoorStatus, DriftItem, DriftReport, GrantView
from ttlock_bridge.access.text import MAX_NAME_CHARS
from ttlock_bridge.bookings import BookingLine, BookingsOverview, FeedStatus, SyncReport
from ttlock_bridge.cloud import shown_code
from ttlock_bridge.locks.clocks import LockClock
from ttlock_bridge.locks.state import LockState

Text = Annotated[str, StringConstraints(min_length=1, max_length=MAX_NAME_CHARS)]
"""A short text (names); the access core refuses control and bidi characters in it."""
TimeText = Annotated[
    str, StringConstraints(min_length=1, max_length=40, pattern=r"^[^\x00-\x1f]+$")
]
"""A date or time as a person writes it; the access core reads it in the property's zone."""
CodeText = Annotated[str, StringConstraints(min_length=1, max_length=16)]
NAME_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$"
"""Door and room names, as the configuration allows them (and lockIds, which are digits)."""
NameText = Annotated[str, StringConstraints(pattern=NAME_PATTERN)]
ClockText = Annotated[str, StringConstraints(pattern=r"^([01]\d|2[0-3]):[0-5]\d$")]


def _true_or_false(value: object) -> object:
    """A query string's `true` or `false`; anything else is refused, not guessed."""
    if value in ("true", "false"):
        return value == "true"
    if isinstance(value, bool):
        return value
    raise ValueError("write true or false")


QueryBool = Annotated[bool, BeforeValidator(_true_or_false)]
"""A boolean query parameter: exactly `true` or `false` (not 1, yes, on, off or no)."""


class _In(BaseModel):
    """A request body: unknown fields are refused, and values are taken only as their own
    JSON type (booleans are `true`/`false`, never "no", 0 or "off"; numbers are not strings)."""

    model_config = ConfigDict(extra="forbid", strict=True)


def local_iso(ms: int | None, zone: ZoneInfo) -> str | None:
    """Epoch ms as ISO 8601 in `zone`; None for None and for a value no date can hold (a stored
    record's lockDate of year 10000 must not break a read)."""
    if ms is None:
        return None
    try:
        return datetime.fromtimestamp(ms / 1000, zone).isoformat(timespec="seconds")
    except (OverflowError, OSError, ValueError):
        return None


# --- locks -----------------------------------------------------------------------------------


class LockStateOut(BaseModel):
    """The last known state; `*_source` says who told (callback, command, auto-lock).

    `bolt` is `unknown` after a record of a type this bridge cannot read (it may have moved).
    `clock_offset_ms` is the lock's clock minus TTLock's at its last record (positive: ahead);
    `clock_problem` is true beyond 2 minutes (the lock's clock or time zone is wrong).
    """

    bolt: Literal["locked", "unlocked", "unknown"] | None
    bolt_source: str | None
    bolt_at: str | None
    bolt_inferred: bool
    battery: int | None
    battery_source: str | None
    battery_at: str | None
    clock_offset_ms: int | None
    clock_problem: bool

    @classmethod
    def of(cls, state: LockState, zone: ZoneInfo) -> LockStateOut:
        return cls(
            bolt=state.bolt.value if state.bolt else None,
            bolt_source=state.bolt_source,
            bolt_at=local_iso(state.bolt_at_ms, zone),
            bolt_inferred=state.bolt_inferred,
            battery=state.battery,
            battery_source=state.battery_source,
            battery_at=local_iso(state.battery_at_ms, zone),
            clock_offset_ms=state.clock_offset_ms,
            clock_problem=state.clock_problem,
        )


class LockOut(BaseModel):
    """A door; `alias`, `has_gateway` (and a detail's fields) are the cloud's as of `as_of`
    (property-local time; cached up to `[cloud] detail_refresh`), `battery` is the newest
    reading from any source (`state.battery_source` says which). `gateway` says whether remote
    commands and codes can reach the lock now: `online`, `offline`, `none` (no gateway), null
    until known; `gateway_at` when that was learnt (gateway poll or a command's answer)."""

    door: str
    lock_id: int
    alias: str | None
    battery: int | None
    has_gateway: bool | None
    gateway: Literal["online", "offline", "none"] | None
    gateway_at: str | None
    as_of: str | None
    state: LockStateOut


class GatewayOut(BaseModel):
    gateway_id: int
    name: str
    online: bool | None
    rssi: int | None


class LockClockOut(BaseModel):
    """The last lock-clock check: `drift_seconds` how far the lock's clock was ahead of
    TTLock's (negative: behind) before the bridge set it (`corrected`); `zone_problem` what to do
    when the lock's time-zone offset is not the property's (null: fine or unknown)."""

    drift_seconds: int
    corrected: bool
    zone_problem: str | None
    checked_at: str

    @classmethod
    def of(cls, checked: LockClock, zone: ZoneInfo) -> LockClockOut:
        return cls(
            drift_seconds=round(checked.drift_ms / 1000),
            corrected=checked.corrected,
            zone_problem=checked.zone_problem,
            checked_at=local_iso(checked.checked_at_ms, zone) or "",
        )


class DoorClockOut(LockClockOut):
    """A door whose last lock-clock check set its clock or found a foreign time zone."""

    door: str
    lock_id: int


class LockDetailOut(LockOut):
    name: str | None
    mac: str | None
    model: str | None
    hardware_revision: str | None
    firmware_revision: str | None
    auto_lock_seconds: int | None
    passage_mode: bool | None
    sound_volume: int | None
    tamper_alert: bool | None
    gateways: list[GatewayOut]
    clock: LockClockOut | None


class CommandOut(BaseModel):
    door: str
    lock_id: int
    done: Literal["unlocked", "locked", "configured"]


class PassageModeOut(BaseModel):
    """Times are lock-local; `as_of` (property time) is when TTLock was last asked."""

    as_of: str | None
    enabled: bool | None
    all_day: bool | None
    start: str | None
    end: str | None
    week_days: list[int]
    auto_unlock: bool | None


class PassageModeIn(_In):
    """Week days 1 = Monday ... 7 = Sunday; no start/end means all day; times are lock-local."""

    enabled: bool
    week_days: list[Annotated[int, Field(ge=1, le=7)]] = Field(
        default=[1, 2, 3, 4, 5, 6, 7], min_length=1, max_length=7
    )
    start: ClockText | None = None
    end: ClockText | None = None
    auto_unlock: bool = False


# --- passcodes -------------------------------------------------------------------------------


class PasscodeOut(BaseModel):
    """A passcode on a lock; the code is masked (the grant or the person who set it knows it)."""

    passcode_id: int
    name: str | None
    masked_code: str
    kind: int | None
    start: str | None
    end: str | None


class PasscodeIn(_In):
    """A custom passcode; without start and end it is permanent."""

    code: CodeText
    name: Text
    start: TimeText | None = None
    end: TimeText | None = None


class PasscodeChange(_In):
    code: CodeText | None = None
    name: Text | None = None
    start: TimeText | None = None
    end: TimeText | None = None


class PasscodeAdded(BaseModel):
    passcode_id: int
    door: str
    lock_id: int


# --- rooms and grants ------------------------------------------------------------------------


class DoorStatusOut(BaseModel):
    """One door of a grant. `status`: `active`, `pending`, `failed`, `removing`, `removed`, or
    `expiring` (an offline code withdrawn before its end: it stays valid on the lock until
    `valid_until`, `guidance` says what to do). `kind`: `online` (the grant's code, written
    through the gateway) or `offline` (a code TTLock computed for this lock, `offline_reason`
    says why). `code` is what opens this door, masked or full like the grant's ("" while an
    offline code is not issued yet), valid from `valid_from` to `valid_until` (property-local:
    an offline code's whole hours, the grant's window otherwise); an offline code must open the
    door once before `use_by` or the lock voids it (null for an online code)."""

    door: str
    lock_id: int
    status: str
    errcode: int | None
    error: str | None
    guidance: str | None
    next_attempt: str | None
    kind: Literal["online", "offline"]
    code: str
    valid_from: str
    valid_until: str
    offline_reason: str | None
    use_by: str | None

    @classmethod
    def of(cls, door: DoorStatus, zone: ZoneInfo, *, reveal_code: bool) -> DoorStatusOut:
        return cls(
            door=door.door,
            lock_id=door.lock_id,
            status=door.status,
            errcode=door.errcode,
            error=door.error,
            guidance=door.guidance,
            next_attempt=local_iso(door.next_attempt_ms, zone),
            kind="offline" if door.kind == "offline" else "online",
            code=shown_code(door.code, reveal=reveal_code),
            valid_from=local_iso(door.start_ms, zone) or "",
            valid_until=local_iso(door.end_ms, zone) or "",
            offline_reason=door.offline_reason,
            use_by=local_iso(door.use_by_ms, zone),
        )


class GrantOut(BaseModel):
    """A grant with each door's status; `code` is masked in lists, full when asked for.

    `code` opens every door of the common grant. Where a door has an offline code (its own,
    docs/grants.md "Two kinds of code") it is the first door's (the room's own) code, and
    `codes` (door -> code, masked or full like `code`) says which code opens which door;
    `codes_differ` is true when not every door takes the same code."""

    id: int
    tag: str
    name: str
    room: str | None
    code: str
    codes: dict[str, str]
    codes_differ: bool
    start: str
    end: str
    start_ms: int
    end_ms: int
    state: str
    summary: str
    doors: list[DoorStatusOut]

    @classmethod
    def of(cls, view: GrantView, zone: ZoneInfo, *, reveal_code: bool) -> GrantOut:
        return cls(
            id=view.id,
            tag=view.tag,
            name=view.name,
            room=view.room,
            code=shown_code(view.code, reveal=reveal_code),
            codes={door: shown_code(code, reveal=reveal_code) for door, code in view.codes.items()},
            codes_differ=view.codes_differ,
            start=view.start_local,
            end=view.end_local,
            start_ms=view.start_ms,
            end_ms=view.end_ms,
            state=view.state,
            summary=view.summary,
            doors=[DoorStatusOut.of(door, zone, reveal_code=reveal_code) for door in view.doors],
        )


class GrantIn(_In):
    """A room (its doors plus shared doors) or a list of doors; dates get check-in/out."""

    start: TimeText
    end: TimeText
    room: NameText | None = None
    doors: list[NameText] | None = Field(default=None, min_length=1, max_length=32)
    name: Text | None = None
    code: CodeText | None = None


class GrantChange(_In):
    start: TimeText | None = None
    end: TimeText | None = None
    name: Text | None = None
    code: CodeText | None = None


class RoomOut(BaseModel):
    name: str
    doors: list[str]
    shared_doors: list[str]
    current_grant: GrantOut | None


# --- maintenance, events, usage --------------------------------------------------------------


class CleanupIn(_In):
    dry_run: bool = True
    sweep: bool = False


class CleanupItemOut(BaseModel):
    door: str
    lock_id: int
    passcode_id: int | None
    name: str
    reason: str
    grant_id: int | None
    outcome: str


class CleanupOut(BaseModel):
    dry_run: bool
    items: list[CleanupItemOut]

    @classmethod
    def of(cls, report: CleanupReport) -> CleanupOut:
        return cls(
            dry_run=report.dry_run,
            items=[
                CleanupItemOut(
                    door=item.door,
                    lock_id=item.lock_id,
                    passcode_id=item.keyboard_pwd_id,
                    name=item.name,
                    reason=item.reason,
                    grant_id=item.grant_id,
                    outcome=item.outcome,
                )
                for item in report.items
            ],
        )


class DriftItemOut(BaseModel):
    door: str
    lock_id: int
    passcode_id: int | None
    name: str
    masked_code: str
    ours: bool
    grant_id: int | None

    @classmethod
    def of(cls, item: DriftItem) -> DriftItemOut:
        return cls(
            door=item.door,
            lock_id=item.lock_id,
            passcode_id=item.keyboard_pwd_id,
            name=item.name,
            masked_code=item.masked_code,
            ours=item.ours,
            grant_id=item.grant_id,
        )


class DriftOut(BaseModel):
    """Passcodes the locks and the ledger disagree about, and the lock clocks the last daily
    check found wrong (`clocks`: set by the bridge, or in a time zone the property never uses)."""

    unknown_on_locks: list[DriftItemOut]
    missing_from_locks: list[DriftItemOut]
    clocks: list[DoorClockOut]

    @classmethod
    def of(cls, report: DriftReport, clocks: list[DoorClockOut]) -> DriftOut:
        return cls(
            unknown_on_locks=[DriftItemOut.of(item) for item in report.unknown_on_locks],
            missing_from_locks=[DriftItemOut.of(item) for item in report.missing_from_locks],
            clocks=clocks,
        )


class EventOut(BaseModel):
    """A lock record: `at` by the lock's own clock, `clock_offset_ms` that clock minus TTLock's
    when it received the record (null when TTLock did not say)."""

    id: int
    door: str | None
    lock_id: int
    at: str | None
    clock_offset_ms: int | None
    record_type: int
    success: bool
    text: str
    username: str | None
    masked_code: str | None
    source: str


class EventPage(BaseModel):
    """Newest first; pass `next_before` as `before` for the next page (null: no more)."""

    events: list[EventOut]
    next_before: int | None


class UsageOut(BaseModel):
    """TTLock API calls per endpoint (UTC day, billing month on Beijing time), counted by this
    bridge, and the month against `[cloud] monthly_budget`: `projected_month` extrapolates the
    month's total; `budget_state` is `ok`, `warning` (80 %) or `exhausted` (optional reads
    stopped: refreshes and polls; placements, deletions and unlocks go on)."""

    day: str
    month: str
    today: dict[str, int]
    this_month: dict[str, int]
    total_today: int
    total_this_month: int
    monthly_budget: int
    projected_month: int
    budget_state: Literal["ok", "warning", "exhausted"]


class HealthOut(BaseModel):
    status: Literal["ok"]


class CheckOut(BaseModel):
    name: str
    ready: bool
    detail: str


class ReadinessOut(BaseModel):
    ready: bool
    checks: list[CheckOut]


# --- bookings --------------------------------------------------------------------------------


class BookingFeedOut(BaseModel):
    """A booking calendar: `feed` is its link masked (scheme, host, short hash: the link
    carries a secret), `feed_id` its stable name. Times are property-local ISO 8601."""

    room: str
    feed: str
    feed_id: str
    poll_s: int
    last_attempt: str | None
    last_success: str | None
    last_error: str | None
    last_error_at: str | None
    failures: int
    events: int

    @classmethod
    def of(cls, status: FeedStatus, zone: ZoneInfo) -> BookingFeedOut:
        return cls(
            room=status.room,
            feed=status.label,
            feed_id=status.feed_id,
            poll_s=status.poll_ms // 1000,
            last_attempt=local_iso(status.last_attempt_ms, zone),
            last_success=local_iso(status.last_success_ms, zone),
            last_error=status.last_error,
            last_error_at=local_iso(status.last_error_at_ms, zone),
            failures=status.failures,
            events=status.events,
        )


class BookingOut(BaseModel):
    """A current or upcoming stay a feed lists (window with the buffers), with its grant
    (code masked; null: not issued yet, e.g. arrival beyond the lead time), how many reads in
    a row missed it, and the sync's note (why it holds back)."""

    room: str
    feed: str
    uid: str
    summary: str
    start: str | None
    end: str | None
    start_ms: int
    end_ms: int
    missing_reads: int
    note: str | None
    grant: GrantOut | None

    @classmethod
    def of(cls, line: BookingLine, zone: ZoneInfo) -> BookingOut:
        return cls(
            room=line.room,
            feed=line.feed,
            uid=line.uid,
            summary=line.summary,
            start=local_iso(line.start_ms, zone),
            end=local_iso(line.end_ms, zone),
            start_ms=line.start_ms,
            end_ms=line.end_ms,
            missing_reads=line.missing_reads,
            note=line.note,
            grant=None if line.grant is None else GrantOut.of(line.grant, zone, reveal_code=False),
        )


class BookingEventOut(BaseModel):
    """What the sync did (`created`, `changed`, `cancelled`, `kept_guest_in`, `cancel_waits`,
    `missing`, `adopted`, `read_failed`, `*_refused`), naming the feed (masked) and the
    booking's UID."""

    at: str | None
    room: str
    feed: str
    uid: str | None
    action: str
    grant_id: int | None
    detail: str | None


class BookingsOut(BaseModel):
    feeds: list[BookingFeedOut]
    bookings: list[BookingOut]
    events: list[BookingEventOut]

    @classmethod
    def of(cls, overview: BookingsOverview, zone: ZoneInfo) -> BookingsOut:
        return cls(
            feeds=[BookingFeedOut.of(status, zone) for status in overview.feeds],
            bookings=[BookingOut.of(line, zone) for line in overview.bookings],
            events=[
                BookingEventOut(
                    at=local_iso(event.at_ms, zone),
                    room=event.room,
                    feed=event.feed,
                    uid=event.uid,
                    action=event.action,
                    grant_id=event.grant_id,
                    detail=event.detail,
                )
                for event in overview.events
            ],
        )


class BookingSyncIn(_In):
    dry_run: bool = False
    """Say what would be created, changed and cancelled; change nothing."""
    room: NameText | None = None


class BookingStepOut(BaseModel):
    action: str
    uid: str
    grant_id: int | None
    start: str | None
    end: str | None
    detail: str
    ok: bool


class BookingFeedReportOut(BaseModel):
    room: str
    feed: str
    failure: str | None
    stays: int
    steps: list[BookingStepOut]
    notes: list[str]


class BookingSyncOut(BaseModel):
    dry_run: bool
    feeds: list[BookingFeedReportOut]

    @classmethod
    def of(cls, report: SyncReport, zone: ZoneInfo) -> BookingSyncOut:
        return cls(
            dry_run=report.dry_run,
            feeds=[
                BookingFeedReportOut(
                    room=feed.room,
                    feed=feed.feed,
                    failure=feed.failure,
                    stays=feed.stays,
                    steps=[
                        BookingStepOut(
                            action=step.action,
                            uid=step.uid,
                            grant_id=step.grant_id,
                            start=local_iso(step.window.start_ms, zone) if step.window else None,
                            end=local_iso(step.window.end_ms, zone) if step.window else None,
                            detail=step.detail,
                            ok=step.ok,
                        )
                        for step in feed.steps
                    ],
                    notes=list(feed.notes),
                )
                for feed in report.feeds
            ],
        )
