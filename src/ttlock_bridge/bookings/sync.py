"""`BookingSync`: reads each room's booking calendars and keeps the room's grants in step.

One read of a feed: fetch (`fetch.py`), read (`calendar.py`, `stays.py`), decide (`plan.py`,
pure), then act through the access core: `GrantService.create` / `modify` / `cancel`, never
beside it, so every grant rule (passcode policy, clashes, DST, the ledger, the reconciler)
holds for booked grants as for any. Before a plan cancels a grant, the doors' own records
are asked whether the guest is in (`Occupancy.used_on_locks`): callbacks alone can miss it.
What was done is recorded in the store (the feed's last read, each booking and its grant, a
journal event naming the feed and the UID).

Crash safety: a booking's grant is created with an idempotency key named after the feed, the
UID and the sync's generation for it, so a create cut short (a crash before the booking row
learnt its grant) is found again instead of made twice (`GrantService.created_with_key`), and
`ttlock-bridge bookings sync` beside a running service cannot make a second grant either.

Feed URLs carry secrets: they live only in the configuration and in `Feed.url`; everything
said or stored names a feed by `feed_id` (a hash) and `label` (scheme, host, short hash).
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
import random
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from typing import Final
from zoneinfo import ZoneInfo

import httpx
from sqlalchemy.orm import Session

from ttlock_bridge.access import Access, GrantChanges, GrantRequest, GrantView
from ttlock_bridge.access.errors import AccessError, CodeClash, IdempotencyKeyReused
from ttlock_bridge.access.passcode_policy import CodeRejected
from ttlock_bridge.access.time_window import Window, format_local, from_utc_ms
from ttlock_bridge.access.transactions import Transactions
from ttlock_bridge.bookings.calendar import Calendar, CalendarUnreadable, read_calendar
from ttlock_bridge.bookings.fetch import fetch_feed, http_client
from ttlock_bridge.bookings.plan import (
    CONFIRM_AFTER_MS,
    Action,
    FeedPlan,
    GrantStatus,
    KnownBooking,
    Step,
    plan_feed,
)
from ttlock_bridge.bookings.stays import FeedStay, FeedStays, StayRules, feed_stays
from ttlock_bridge.clock import Clock
from ttlock_bridge.cloud import TTLockError
from ttlock_bridge.config import Config
from ttlock_bridge.config.bookings import BookingSettings, feed_host, feed_id, feed_label
from ttlock_bridge.operations.readiness import ChannelStatus
from ttlock_bridge.store import Booking, BookingEvent, GrantState, Store
from ttlock_bridge.store import bookings as rows

log = logging.getLogger("ttlock_bridge.bookings")

JITTER: Final = 0.1
"""Each read is moved by up to this share of the poll interval, either way."""
FIRST_READ_WITHIN_S: Final = 5.0
"""At start, a feed due for a read is read within this many seconds (spread, not all at once)."""
STALE_POLLS: Final = 3
"""A feed whose last read failed and that has not been read successfully for this many poll
intervals makes `/readyz` say not ready (one failed read is shown, not alarmed on)."""
PARALLEL_READS: Final = 4


@dataclass(frozen=True, slots=True)
class Feed:
    """A configured feed: its room, `url` (a secret: never shown), `feed_id`, `label` and its
    room's settings."""

    room: str
    url: str = field(repr=False)
    feed_id: str
    label: str
    settings: BookingSettings


def configured_feeds(config: Config) -> list[Feed]:
    """Every feed of every `[bookings.<room>]`, in the file's order."""
    return [
        Feed(room, url, feed_id(url), feed_label(url), settings)
        for room, settings in config.bookings.items()
        for url in settings.feeds
    ]


@dataclass(frozen=True, slots=True)
class StepOutcome:
    """One step of a read as done (or, in a dry run, as it would be): `ok` False when the
    access core refused it (`detail` says why)."""

    action: str
    uid: str
    grant_id: int | None
    window: Window | None
    detail: str
    ok: bool = True


@dataclass(frozen=True, slots=True)
class FeedReport:
    """One read of one feed: its failure (the read changed nothing), or what it did."""

    room: str
    feed_id: str
    feed: str
    failure: str | None
    stays: int
    steps: tuple[StepOutcome, ...]
    notes: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class SyncReport:
    dry_run: bool
    feeds: tuple[FeedReport, ...]


@dataclass
class FeedStatus:
    """What the last reads of a feed found (a mirror of its `booking_feeds` row). Times are
    UTC epoch ms."""

    room: str
    feed_id: str
    label: str
    poll_ms: int
    last_attempt_ms: int | None = None
    last_success_ms: int | None = None
    last_error: str | None = None
    last_error_at_ms: int | None = None
    failures: int = 0
    events: int = 0

    def stale(self, now_ms: int) -> bool:
        """Failing, and not read successfully for `STALE_POLLS` poll intervals (a feed never
        read successfully: after `STALE_POLLS` failed reads in a row)."""
        if not self.failures:
            return False
        since = self.last_success_ms
        if since is None:
            return self.failures >= STALE_POLLS
        return now_ms - since > STALE_POLLS * self.poll_ms


@dataclass(frozen=True, slots=True)
class BookingLine:
    """A booking as the API shows it: the feed's stay (UTC epoch ms, buffers applied), its
    grant and that grant's state (None: no grant yet), and the sync's note."""

    room: str
    feed_id: str
    feed: str
    uid: str
    summary: str
    start_ms: int
    end_ms: int
    grant_id: int | None
    grant: GrantView | None
    missing_reads: int
    note: str | None


@dataclass(frozen=True, slots=True)
class BookingEventLine:
    at_ms: int
    room: str
    feed: str
    uid: str | None
    action: str
    grant_id: int | None
    detail: str | None


@dataclass(frozen=True, slots=True)
class BookingsOverview:
    feeds: tuple[FeedStatus, ...]
    bookings: tuple[BookingLine, ...]
    events: tuple[BookingEventLine, ...]


class BookingSync:
    """The booking calendars of the configuration, read and kept in step with the grants."""

    name = "bookings"

    def __init__(
        self,
        config: Config,
        store: Store,
        access: Access,
        *,
        clock: Clock,
        rng: random.Random | None = None,
    ) -> None:
        self._config = config
        self._access = access
        self._clock = clock
        self._run = Transactions(store)
        self._rng = rng or random.Random()  # noqa: S311 - jitter, not secrecy
        self.feeds = configured_feeds(config)
        self._configured_ids = frozenset(feed.feed_id for feed in self.feeds)
        self._turns = {feed.feed_id: asyncio.Lock() for feed in self.feeds}
        self.statuses = {
            feed.feed_id: FeedStatus(
                feed.room,
                feed.feed_id,
                feed.label,
                int(feed.settings.poll.total_seconds() * 1000),
            )
            for feed in self.feeds
        }
        self.reads: Counter[tuple[str, str]] = Counter()
        """(room, "ok" | "failed") -> reads since start."""
        self.actions: Counter[str] = Counter()
        """Action -> steps done since start (dry runs not counted)."""
        self._loaded = False
        self._parsed: dict[str, tuple[bytes, Calendar]] = {}
        self._client: httpx.AsyncClient | None = None

    def _http(self) -> httpx.AsyncClient:
        """One client for every read (made on first use, in the loop that reads)."""
        if self._client is None:
            self._client = http_client()
        return self._client

    async def close(self) -> None:
        """Close the HTTP client; a later read opens a new one."""
        if self._client is not None:
            client, self._client = self._client, None
            await client.aclose()

    # --- reading ---------------------------------------------------------------------------

    async def sync(self, *, dry_run: bool = False, room: str | None = None) -> SyncReport:
        """Read every feed (of `room`, or all) now and act on what they say; with `dry_run`,
        say what would be done and change nothing (not even the feeds' status)."""
        await self.load()
        feeds = [feed for feed in self.feeds if room is None or feed.room == room]
        reports = await self._read_all(self._http(), feeds, dry_run=dry_run)
        return SyncReport(dry_run, tuple(reports))

    async def _read_all(
        self, client: httpx.AsyncClient, feeds: Sequence[Feed], *, dry_run: bool
    ) -> list[FeedReport]:
        gate = asyncio.Semaphore(PARALLEL_READS)

        async def one(feed: Feed) -> FeedReport:
            async with gate:
                return await self.sync_feed(client, feed, dry_run=dry_run)

        return list(await asyncio.gather(*(one(feed) for feed in feeds)))

    async def sync_feed(
        self, client: httpx.AsyncClient, feed: Feed, *, dry_run: bool = False
    ) -> FeedReport:
        """One read of `feed` and its consequences (one at a time per feed)."""
        async with self._turns[feed.feed_id]:
            answer = await fetch_feed(client, feed.url)
            now_ms = self._clock()
            if answer.body is None:
                return await self._failed(feed, answer.failure or "?", now_ms, dry_run=dry_run)
            try:  # parsing a large calendar takes CPU seconds: not on the event loop
                calendar, read = await asyncio.to_thread(self._read, feed, answer.body)
            except CalendarUnreadable as unreadable:
                return await self._failed(feed, str(unreadable), now_ms, dry_run=dry_run)
            notes = calendar.notes + read.notes
            listed = {stay.uid for stay in read.stays}
            known, notes_before = await self._run(
                _known,
                feed,
                now_ms,
                adopt=None if dry_run else (listed, self._configured_ids),
            )
            missing_grants = [
                booking.grant_id
                for uid, booking in known.items()
                if booking.grant is GrantStatus.ACTIVE
                and booking.grant_id is not None
                and uid not in listed
            ]
            guests_in = await self._access.occupancy.first_uses_of(missing_grants)
            known = {
                uid: replace(booking, guest_in=booking.grant_id in guests_in)
                for uid, booking in known.items()
            }
            lead_ms = int(feed.settings.lead_time.total_seconds() * 1000)
            plan = plan_feed(read, known, now_ms=now_ms, lead_ms=lead_ms)
            unknown_why = None
            if _withdrawn_grants(plan):
                known, unknown_why = await self._ask_the_locks(feed, known, plan)
                plan = plan_feed(read, known, now_ms=now_ms, lead_ms=lead_ms)
            if plan.failure is not None:
                return await self._failed(feed, plan.failure, now_ms, dry_run=dry_run)
            if dry_run:
                zone = self._config.property.zone
                steps = tuple(_would(step, unknown_why, zone) for step in plan.steps)
            else:
                await self._run(_record_read, feed, plan, len(calendar.events), now_ms)
                steps = tuple(
                    [
                        await self._act(feed, step, known, notes_before, unknown_why)
                        for step in plan.steps
                    ]
                )
                self._succeeded(feed, len(calendar.events), now_ms)
            return FeedReport(
                feed.room, feed.feed_id, feed.label, None, len(plan.seen), steps, notes
            )

    async def _ask_the_locks(
        self, feed: Feed, known: dict[str, KnownBooking], plan: FeedPlan
    ) -> tuple[dict[str, KnownBooking], str | None]:
        """`known` with what the doors' own records say of the grants `plan` would withdraw
        (`Occupancy.used_on_locks`): a lost callback, or a callback URL never set, must not
        lock a guest out. Where that cannot be told (the records cannot be read, or a door's
        gateway is offline so its latest records may not have reached TTLock), those
        withdrawals wait (`guest_unknown`) and the second value says why."""
        grant_ids = _withdrawn_grants(plan)
        try:
            records = await self._access.occupancy.used_on_locks(grant_ids)
        except TTLockError as error:
            used, unknown, why = (
                set[int](),
                grant_ids,
                f"the locks' records could not be read: {error}",
            )
        else:
            used, unknown = set(records.used), set(records.unsure)
            why = "a door's gateway is offline: its latest records may not have reached TTLock"
        if unknown:
            log.warning(
                "event=booking_waits_for_records room=%s feed=%s grants=%s reason=%r",
                feed.room,
                feed.label,
                sorted(unknown),
                why,
            )
        return {
            uid: replace(
                booking,
                guest_in=booking.guest_in or booking.grant_id in used,
                guest_unknown=booking.grant_id in unknown,
            )
            for uid, booking in known.items()
        }, why

    def _read(self, feed: Feed, body: bytes) -> tuple[Calendar, FeedStays]:
        """The calendar in `body` and the stays it lists; a body identical to the feed's last
        one (its SHA-256) is not parsed again: most reads find nothing changed."""
        digest = hashlib.sha256(body).digest()
        known = self._parsed.get(feed.feed_id)
        if known is not None and known[0] == digest:
            calendar = known[1]
        else:
            calendar = read_calendar(body)
            self._parsed[feed.feed_id] = (digest, calendar)
        return calendar, feed_stays(calendar.events, calendar.unreadable_uids, self._rules(feed))

    def _rules(self, feed: Feed) -> StayRules:
        defaults = self._config.defaults
        settings = feed.settings
        return StayRules(
            zone=self._config.property.zone,
            check_in=defaults.check_in,
            check_out=defaults.check_out,
            before_arrival=settings.before_arrival,
            after_departure=settings.after_departure,
            ignore=settings.ignore,
            name_template=settings.name,
            room=feed.room,
            feed_host=feed_host(feed.url),
        )

    async def _failed(self, feed: Feed, reason: str, now_ms: int, *, dry_run: bool) -> FeedReport:
        """A read that failed changes no grant; it is recorded (journal once per reason)."""
        if not dry_run:
            status = self.statuses[feed.feed_id]
            repeated = status.failures > 0 and status.last_error == reason
            status.last_attempt_ms = status.last_error_at_ms = now_ms
            status.last_error = reason
            status.failures += 1
            self.reads[(feed.room, "failed")] += 1
            await self._run(_record_failure, feed, reason, now_ms, journal=not repeated)
            log.warning(
                "event=booking_feed_failed room=%s feed=%s reason=%r",
                feed.room,
                feed.label,
                reason,
            )
        return FeedReport(feed.room, feed.feed_id, feed.label, reason, 0, (), ())

    def _succeeded(self, feed: Feed, events: int, now_ms: int) -> None:
        status = self.statuses[feed.feed_id]
        status.last_attempt_ms = status.last_success_ms = now_ms
        status.failures, status.events = 0, events
        status.last_error = None
        self.reads[(feed.room, "ok")] += 1

    # --- acting ----------------------------------------------------------------------------

    async def _act(
        self,
        feed: Feed,
        step: Step,
        known: dict[str, KnownBooking],
        notes_before: dict[str, str | None],
        unknown_why: str | None,
    ) -> StepOutcome:
        """Do one step of the plan through the access core (or, for the steps that only
        follow the booking, in the store); an `AccessError` becomes a refused outcome, noted
        once."""
        booking = known.get(step.uid)
        try:
            if step.action is Action.CREATE:
                assert step.stay is not None  # noqa: S101 - the plan's contract
                generation = booking.generation if booking is not None else 0
                outcome = await self._create(feed, step.stay, generation)
            elif step.action is Action.CHANGE:
                assert step.stay is not None  # noqa: S101
                assert step.grant_id is not None  # noqa: S101
                outcome = await self._change(feed, step.stay, step.grant_id, booking)
            elif step.action is Action.CANCEL:
                assert step.grant_id is not None  # noqa: S101
                outcome = await self._cancel(feed, step)
            else:
                detail, note = _quiet_texts(step, unknown_why, self._config.property.zone)
                outcome = await self._run(
                    _quiet_step, feed, step, self._clock(), detail=detail, note=note
                )
        except AccessError as refused:
            note = f"{step.action.value} refused: {refused}"
            first = notes_before.get(step.uid) != note
            await self._run(_note, feed, step, note, self._clock(), journal=first)
            if first:
                log.warning(
                    "event=booking_refused room=%s feed=%s uid=%s action=%s reason=%r",
                    feed.room,
                    feed.label,
                    step.uid,
                    step.action.value,
                    str(refused),
                )
            return StepOutcome(
                step.action.value, step.uid, step.grant_id, _window(step), note, ok=False
            )
        self.actions[step.action.value] += 1
        return outcome

    async def _create(self, feed: Feed, stay: FeedStay, generation: int) -> StepOutcome:
        key = grant_key(feed.feed_id, stay.uid, generation)
        zone = self._config.property.zone
        request = GrantRequest(
            start=from_utc_ms(stay.window.start_ms, zone).isoformat(),
            end=from_utc_ms(stay.window.end_ms, zone).isoformat(),
            room=feed.room,
            name=stay.name,
        )
        phone = stay.phone_last4 if feed.settings.code == "phone_last4" else None
        how = "generated code"
        view: GrantView | None = None
        try:
            if phone is not None:
                try:
                    view = await self._access.grants.create(
                        replace(request, code=phone), idempotency_key=key
                    )
                    how = "the guest's phone ending as code"
                except (CodeRejected, CodeClash) as refused:
                    how = f"generated code (the phone ending was refused: {refused})"
            if view is None:
                view = await self._access.grants.create(request, idempotency_key=key)
        except IdempotencyKeyReused:
            view = await self._access.grants.created_with_key(key)
            if view is None:
                raise
            how = "found the grant an earlier, interrupted sync made"
        detail = f"grant {view.id} for {_local(Window(view.start_ms, view.end_ms), zone)}, {how}"
        await self._run(
            _granted,
            feed,
            stay.uid,
            view,
            what="created",
            detail=detail,
            now_ms=self._clock(),
        )
        _log_action("granted", feed, stay.uid, view.id)
        return StepOutcome(Action.CREATE.value, stay.uid, view.id, stay.window, detail)

    async def _change(
        self, feed: Feed, stay: FeedStay, grant_id: int, booking: KnownBooking | None
    ) -> StepOutcome:
        zone = self._config.property.zone
        view = await self._access.grants.modify(
            grant_id,
            GrantChanges(
                start=from_utc_ms(stay.window.start_ms, zone).isoformat(),
                end=from_utc_ms(stay.window.end_ms, zone).isoformat(),
            ),
        )
        before = booking.granted if booking is not None else None
        detail = (
            f"grant {grant_id} moved from {_local(before, zone) if before else '?'} "
            f"to {_local(stay.window, zone)} (same code)"
        )
        await self._run(
            _granted,
            feed,
            stay.uid,
            view,
            what="changed",
            detail=detail,
            now_ms=self._clock(),
        )
        _log_action("changed", feed, stay.uid, grant_id)
        return StepOutcome(Action.CHANGE.value, stay.uid, grant_id, stay.window, detail)

    async def _cancel(self, feed: Feed, step: Step) -> StepOutcome:
        assert step.grant_id is not None  # noqa: S101
        await self._access.grants.cancel(step.grant_id)
        detail = (
            f"grant {step.grant_id} cancelled: the booking was missing from "
            f"{step.missing} successful reads in a row"
        )
        await self._run(_cancelled, feed, step, detail, self._clock())
        _log_action("cancelled", feed, step.uid, step.grant_id)
        return StepOutcome(Action.CANCEL.value, step.uid, step.grant_id, None, detail)

    # --- status, schedule, overview -------------------------------------------------------

    async def load(self) -> None:
        """Take the feeds' last reads from the store (once): status survives restarts."""
        if self._loaded:
            return
        found = await self._run(rows.feed_rows, list(self.statuses))
        for row in found:
            status = self.statuses[row.feed_id]
            status.last_attempt_ms = row.last_attempt_ms
            status.last_success_ms = row.last_success_ms
            status.last_error = row.last_error
            status.last_error_at_ms = row.last_error_at_ms
            status.failures, status.events = row.failures, row.events
        self._loaded = True

    def status(self) -> ChannelStatus:
        """For `/readyz`: not ready while a feed is stale (`FeedStatus.stale`); the detail
        names every failing feed, masked, with its reason."""
        now_ms = self._clock()
        statuses = list(self.statuses.values())
        failing = [status for status in statuses if status.failures]
        stale = [status for status in failing if status.stale(now_ms)]
        unread = sum(status.last_attempt_ms is None for status in statuses)
        detail = f"{len(statuses)} feed(s)"
        if unread:
            detail += f", {unread} not read yet"
        if failing:
            detail += f", {len(failing)} failing: " + "; ".join(
                f"{status.label} ({status.room}): {status.last_error}" for status in failing
            )
        else:
            detail += ", every read feed read at its last try"
        return ChannelStatus(self.name, not stale, detail)

    def next_read_ms(self, status: FeedStatus, now_ms: int) -> int:
        return next_read_ms(status, now_ms, self._rng)

    async def run_forever(self) -> None:
        """Read each feed when it is due, until cancelled; a failing read never stops it."""
        await self.load()
        now_ms = self._clock()
        due = {
            feed.feed_id: self.next_read_ms(self.statuses[feed.feed_id], now_ms)
            for feed in self.feeds
        }
        by_id = {feed.feed_id: feed for feed in self.feeds}
        while due:
            now_ms = self._clock()
            soonest = min(due.values())
            if soonest > now_ms:
                await asyncio.sleep((soonest - now_ms) / 1000)
                continue
            ready = [by_id[feed] for feed, at in due.items() if at <= now_ms]
            try:
                await self._read_all(self._http(), ready, dry_run=False)
            except Exception:  # a read must never stop the loop; the next one retries
                log.exception("event=booking_sync_failed")
            now_ms = self._clock()
            for feed in ready:
                status = self.statuses[feed.feed_id]
                if status.last_attempt_ms is None or status.last_attempt_ms < now_ms - 1000:
                    status.last_attempt_ms = now_ms  # the read broke before recording
                due[feed.feed_id] = self.next_read_ms(status, now_ms)

    async def overview(self, *, room: str | None = None, events: int = 50) -> BookingsOverview:
        """The feeds (last read, last error), their current and upcoming bookings with their
        grants, and the newest journal events."""
        await self.load()
        feeds = [feed for feed in self.feeds if room is None or feed.room == room]
        now_ms = self._clock()
        labels = {feed.feed_id: feed.label for feed in feeds}
        found, journal = await self._run(_overview, list(labels), room, events, now_ms)
        grant_ids = [row.grant_id for row in found if row.grant_id is not None]
        views = {grant_id: await self._access.grants.get(grant_id) for grant_id in grant_ids}
        return BookingsOverview(
            feeds=tuple(self.statuses[feed.feed_id] for feed in feeds),
            bookings=tuple(
                BookingLine(
                    room=row.room,
                    feed_id=row.feed_id,
                    feed=labels[row.feed_id],
                    uid=row.uid,
                    summary=row.summary,
                    start_ms=row.start_ms,
                    end_ms=row.end_ms,
                    grant_id=row.grant_id,
                    grant=views.get(row.grant_id) if row.grant_id is not None else None,
                    missing_reads=row.missing_reads,
                    note=row.note,
                )
                for row in found
            ),
            events=tuple(
                BookingEventLine(
                    event.at_ms,
                    event.room,
                    event.feed,
                    event.uid,
                    event.action,
                    event.grant_id,
                    event.detail,
                )
                for event in journal
            ),
        )


def next_read_ms(status: FeedStatus, now_ms: int, rng: random.Random) -> int:
    """When `status`'s feed is read next (UTC epoch ms): a poll interval after its last try,
    moved by up to `JITTER` of it either way; a feed never read, or overdue, within
    `FIRST_READ_WITHIN_S` from now (spread, so a restart does not read every feed at once)."""
    soon = now_ms + int(rng.uniform(0, FIRST_READ_WITHIN_S) * 1000)
    if status.last_attempt_ms is None:
        return soon
    jitter = int(rng.uniform(-JITTER, JITTER) * status.poll_ms)
    due = status.last_attempt_ms + status.poll_ms + jitter
    return due if due > now_ms else soon


def _log_action(event: str, feed: Feed, uid: str, grant_id: int | None) -> None:
    log.info(
        "event=booking_%s room=%s feed=%s uid=%s grant_id=%s",
        event,
        feed.room,
        feed.label,
        uid,
        grant_id,
    )


def grant_key(feed_id: str, uid: str, generation: int) -> str:
    """The idempotency key of the grant the sync makes for a booking (its `generation`-th)."""
    digest = hashlib.sha256(f"{feed_id}\n{uid}\n{generation}".encode()).hexdigest()[:40]
    return f"booking-{digest}"


def _local(window: Window, zone: ZoneInfo) -> str:
    return f"{format_local(window.start_ms, zone)} - {format_local(window.end_ms, zone)}"


def _window(step: Step) -> Window | None:
    return step.stay.window if step.stay is not None else None


_WOULD = {
    Action.CREATE: "would create a grant",
    Action.CHANGE: "would move the grant to the feed's dates (same code)",
    Action.CANCEL: "would cancel the grant: missing from two successful reads in a row",
}
_FOLLOWS = {
    Action.GONE: "gone from the feed: its grant was cancelled at an earlier read; a new one "
    "is made if the booking comes back",
    Action.FORGET: "ended or gone: no longer tracked",
}


def _missing_text(step: Step) -> str:
    """What a MISSING step means: for a booking with a grant, or one without yet."""
    if step.grant_id is None:
        return "missing from this read; it has no grant yet: forgotten if the next read misses it"
    return (
        f"missing from this read: grant {step.grant_id} is cancelled if the next read misses it too"
    )


def _withdrawn_grants(plan: FeedPlan) -> set[int]:
    """The grants `plan` would take a stay's code from (a cancel, a move away from now)."""
    return {
        step.grant_id
        for step in plan.steps
        if step.withdraws and step.grant_id and step.action in (Action.CANCEL, Action.CHANGE)
    }


def _would(step: Step, unknown_why: str | None, zone: ZoneInfo) -> StepOutcome:
    """A step as a dry run reports it."""
    text = _WOULD.get(step.action) or _quiet_texts(step, unknown_why, zone)[0]
    return StepOutcome(step.action.value, step.uid, step.grant_id, _window(step), text)


# --- transactions (run in a worker thread by `Transactions`) ----------------------------------


def _grant_status(state: GrantState | None, end_ms: int, now_ms: int) -> GrantStatus:
    if state is None:
        return GrantStatus.NONE
    if state is GrantState.CANCELLED:
        return GrantStatus.CANCELLED
    return GrantStatus.ENDED if end_ms <= now_ms else GrantStatus.ACTIVE


def _known(
    session: Session,
    feed: Feed,
    now_ms: int,
    *,
    adopt: tuple[set[str], frozenset[str]] | None = None,
) -> tuple[dict[str, KnownBooking], dict[str, str | None]]:
    """The feed's bookings as the plan needs them (guest_in filled in later), and their notes.

    With `adopt` (the UIDs this read lists, the feed ids configured now), the room's bookings
    of a feed no longer configured (its link was renewed) whose UID this read lists become this
    feed's: their grants carry on instead of a second grant being made for the same stay.
    """
    found = rows.bookings_of_feed(session, feed.feed_id)
    if adopt is not None:
        listed, configured = adopt
        mine = {row.uid for row in found}
        new = listed - mine
        for row in rows.orphan_bookings(session, feed.room, new, configured) if new else []:
            if row.uid in mine:
                continue
            _journal(
                session,
                feed,
                row.uid,
                action="adopted",
                grant_id=row.grant_id,
                detail="listed by this feed, first read from a feed no longer configured "
                "(a renewed link?): its grant carries on",
                now_ms=now_ms,
            )
            row.feed_id = feed.feed_id
            mine.add(row.uid)
            found.append(row)
    grants = rows.grant_states(session, [row.grant_id for row in found if row.grant_id])
    known: dict[str, KnownBooking] = {}
    notes: dict[str, str | None] = {}
    for row in found:
        state, end_ms = grants.get(row.grant_id or 0, (None, 0))
        granted = (
            Window(row.granted_start_ms, row.granted_end_ms)
            if row.granted_start_ms is not None and row.granted_end_ms is not None
            else None
        )
        known[row.uid] = KnownBooking(
            changed_at_ms=row.changed_at_ms,
            uid=row.uid,
            window=Window(row.start_ms, row.end_ms),
            grant_id=row.grant_id,
            grant=_grant_status(state, end_ms, now_ms),
            granted=granted,
            missing_reads=row.missing_reads,
            guest_in=False,
            generation=row.generation,
        )
        notes[row.uid] = row.note
    return known, notes


def _record_read(session: Session, feed: Feed, plan: FeedPlan, events: int, now_ms: int) -> None:
    """A successful read: the feed's status, and every stay it lists as seen now (a row is
    written only where the feed changed something: most reads write one row, the feed's)."""
    status = rows.feed_row(session, feed.feed_id, room=feed.room, label=feed.label)
    status.last_attempt_ms = status.last_success_ms = now_ms
    status.failures, status.events, status.last_error = 0, events, None
    known = {row.uid: row for row in rows.bookings_of_feed(session, feed.feed_id)}
    for stay in plan.seen:
        row = known.get(stay.uid)
        if row is None:
            row = Booking(
                feed_id=feed.feed_id,
                uid=stay.uid,
                room=feed.room,
                generation=0,
                missing_reads=0,
                first_seen_ms=now_ms,
                changed_at_ms=now_ms,
            )
            session.add(row)
        seen = (stay.summary, stay.window.start_ms, stay.window.end_ms, 0)
        if (row.summary, row.start_ms, row.end_ms, row.missing_reads) != seen:
            row.summary, row.start_ms, row.end_ms, row.missing_reads = seen
            row.changed_at_ms = now_ms
        if row.note is not None and row.note.startswith("gone from"):
            row.note = None


def _record_failure(
    session: Session, feed: Feed, reason: str, now_ms: int, *, journal: bool
) -> None:
    status = rows.feed_row(session, feed.feed_id, room=feed.room, label=feed.label)
    status.last_attempt_ms = status.last_error_at_ms = now_ms
    status.last_error = reason
    status.failures += 1
    if journal:
        _journal(
            session,
            feed,
            None,
            action="read_failed",
            grant_id=None,
            detail=f"{reason}; grants stay as they are",
            now_ms=now_ms,
        )


def _journal(
    session: Session,
    feed: Feed,
    uid: str | None,
    *,
    action: str,
    grant_id: int | None,
    detail: str,
    now_ms: int,
) -> None:
    rows.add_booking_event(
        session,
        at_ms=now_ms,
        feed_id=feed.feed_id,
        feed=feed.label,
        room=feed.room,
        uid=uid,
        action=action,
        grant_id=grant_id,
        detail=detail,
    )


def _granted(
    session: Session,
    feed: Feed,
    uid: str,
    view: GrantView,
    *,
    what: str,
    detail: str,
    now_ms: int,
) -> None:
    """The booking's grant (`what`: created or changed) is `view`: the booking row remembers
    the window the grant really has (a grant found after a crash may hold older dates: the
    next read then moves it)."""
    row = rows.booking(session, feed.feed_id, uid)
    if row is not None:
        row.grant_id = view.id
        row.granted_start_ms, row.granted_end_ms = view.start_ms, view.end_ms
        row.note = None
    _journal(session, feed, uid, action=what, grant_id=view.id, detail=detail, now_ms=now_ms)


def _cancelled(session: Session, feed: Feed, step: Step, detail: str, now_ms: int) -> None:
    row = rows.booking(session, feed.feed_id, step.uid)
    if row is not None:
        row.grant_id = None
        row.granted_start_ms = row.granted_end_ms = None
        row.generation += 1
        row.missing_reads = step.missing
        row.note = "cancelled: gone from the feed"
    _journal(
        session,
        feed,
        step.uid,
        action="cancelled",
        grant_id=step.grant_id,
        detail=detail,
        now_ms=now_ms,
    )


def _note(
    session: Session, feed: Feed, step: Step, note: str, now_ms: int, *, journal: bool
) -> None:
    row = rows.booking(session, feed.feed_id, step.uid)
    if row is not None:
        row.note = note
    if journal:
        _journal(
            session,
            feed,
            step.uid,
            action=f"{step.action.value}_refused",
            grant_id=step.grant_id,
            detail=note,
            now_ms=now_ms,
        )


def _quiet_texts(step: Step, unknown_why: str | None, zone: ZoneInfo) -> tuple[str, str | None]:
    """What a step that only follows its booking says, and the booking's note (None: none)."""
    gone = step.stay is None
    what = (
        f"gone from the feed ({step.missing} reads)"
        if step.stay is None
        else f"moved by the feed to {_local(step.stay.window, zone)}, away from now"
    )
    by_feed = "gone from the feed" if gone else "moved by the feed"
    match step.action:
        case Action.KEEP_GUEST_IN:
            by_hand = (
                "cancel it by hand if the stay really ended"
                if gone
                else ("change it by hand if the stay really moved")
            )
            return (
                f"{what}, but the guest is in (the code has opened a door): grant "
                f"{step.grant_id} is kept as it is; {by_hand}",
                f"{by_feed}; the guest is in: grant kept",
            )
        case Action.WAITS_FOR_RECORDS:
            return (
                f"{what}, but grant {step.grant_id} is not {'cancelled' if gone else 'moved'} "
                f"yet: whether the guest is in cannot be told ({unknown_why}); tried again at "
                "the next read",
                f"{by_feed}; waits for the locks' records",
            )
        case Action.MOVE_WAITS:
            return (
                f"{what}: grant {step.grant_id} moves when a read at least "
                f"{CONFIRM_AFTER_MS // 60_000} min later says the same",
                f"{by_feed}; waits for a second read",
            )
        case Action.MISSING:
            return _missing_text(step), None
        case _:
            return _FOLLOWS[step.action], None


def _quiet_step(
    session: Session, feed: Feed, step: Step, now_ms: int, *, detail: str, note: str | None
) -> StepOutcome:
    """A step that only follows its booking (MISSING, GONE, KEEP_GUEST_IN, MOVE_WAITS,
    WAITS_FOR_RECORDS, FORGET): the booking row follows, `note` (if any) becomes its note.
    Journaled when new: a first miss (which starts the confirmation time), a changed note."""
    if step.action is Action.FORGET:
        rows.forget_booking(session, feed.feed_id, step.uid)
        return StepOutcome(step.action.value, step.uid, step.grant_id, None, detail)
    row = rows.booking(session, feed.feed_id, step.uid)
    first_miss = step.action is Action.MISSING and (row is None or row.missing_reads == 0)
    journal = first_miss or (note is not None and (row is None or row.note != note))
    if row is not None:
        if first_miss:
            row.changed_at_ms = now_ms
        row.missing_reads = step.missing
        if note is not None:
            row.note = note
    if journal:
        _journal(
            session,
            feed,
            step.uid,
            action=step.action.value,
            grant_id=step.grant_id,
            detail=detail,
            now_ms=now_ms,
        )
    return StepOutcome(step.action.value, step.uid, step.grant_id, _window(step), detail)


def _overview(
    session: Session, feed_ids: list[str], room: str | None, events: int, now_ms: int
) -> tuple[list[Booking], list[BookingEvent]]:
    found = [row for row in rows.bookings_of_feeds(session, feed_ids) if row.end_ms > now_ms]
    journal = rows.booking_events(session, room=room, limit=events)
    return found, journal
