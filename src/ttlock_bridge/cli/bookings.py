"""`ttlock-bridge bookings sync [--dry-run]` and `bookings list`: the booking calendars of
`[bookings.<room>]`, read now, as the service reads them every poll interval.

`sync` acts exactly as the running service would (grants created, moved, cancelled through
the access core); `--dry-run` says what it would do and changes nothing. Feeds are shown
masked (their links carry a secret); codes are masked.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import typer
from rich.markup import escape
from rich.table import Table

from ttlock_bridge.cli.app import app
from ttlock_bridge.cli.config import load_config_or_problem
from ttlock_bridge.cli.context import (
    DEFAULT_CONFIG_PATH,
    CommandProblem,
    ConfigOption,
    err,
    out,
    property_parts,
    run_command,
)

if TYPE_CHECKING:
    from zoneinfo import ZoneInfo

    from ttlock_bridge.bookings import BookingsOverview, SyncReport
    from ttlock_bridge.config import Config

bookings_app = typer.Typer(
    name="bookings",
    help="Booking calendars (iCal exports) that turn bookings into grants.",
    no_args_is_help=True,
)
app.add_typer(bookings_app)

Room = Annotated[str | None, typer.Option(help="Only this room's feeds.")]


def _with_bookings(config: Config, room: str | None) -> None:
    if not config.bookings:
        raise CommandProblem(
            f"{config.source} has no [bookings.<room>] section: add one with the room's export "
            "links (docs/bookings.md)"
        )
    if room is not None and room not in config.bookings:
        raise CommandProblem(
            f"room {room!r} has no booking feeds (rooms with feeds: {', '.join(config.bookings)})"
        )


@bookings_app.command("sync")
def sync(
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Say what would be done; change nothing.")
    ] = False,
    room: Room = None,
    config: ConfigOption = DEFAULT_CONFIG_PATH,
) -> None:
    """Read every booking calendar now: create, move and cancel grants as the service does."""

    async def run() -> tuple[SyncReport, ZoneInfo]:
        loaded = load_config_or_problem(config)
        _with_bookings(loaded, room)
        from ttlock_bridge.bookings import BookingSync
        from ttlock_bridge.clock import wall_clock_ms

        async with property_parts(loaded) as (access, store):
            booking_sync = BookingSync(loaded, store, access, clock=wall_clock_ms)
            try:
                report = await booking_sync.sync(dry_run=dry_run, room=room)
            finally:
                await booking_sync.close()
        return report, loaded.property.zone

    report, zone = run_command(run)
    _print_report(report, zone)
    if any(feed.failure for feed in report.feeds):
        raise typer.Exit(1)


@bookings_app.command("list")
def list_bookings(room: Room = None, config: ConfigOption = DEFAULT_CONFIG_PATH) -> None:
    """The feeds (last read, last error) and their current and upcoming bookings."""

    async def run() -> tuple[BookingsOverview, ZoneInfo]:
        loaded = load_config_or_problem(config)
        _with_bookings(loaded, room)
        from ttlock_bridge.bookings import BookingSync
        from ttlock_bridge.clock import wall_clock_ms

        async with property_parts(loaded) as (access, store):
            overview = await BookingSync(loaded, store, access, clock=wall_clock_ms).overview(
                room=room, events=0
            )
        return overview, loaded.property.zone

    _print_overview(*run_command(run))


def _print_report(report: SyncReport, zone: ZoneInfo) -> None:
    from ttlock_bridge.access.time_window import format_local

    title = "Booking sync (dry run: nothing changed)" if report.dry_run else "Booking sync"
    table = Table(title=title, title_justify="left")
    for column in ("room", "feed", "booking", "action", "grant", "window", "what"):
        table.add_column(column)
    for feed in report.feeds:
        if feed.failure is not None:
            err.print(
                f"[red]{escape(feed.room)} {escape(feed.feed)}:[/red] {escape(feed.failure)} "
                "(grants stay as they are)"
            )
            continue
        for note in feed.notes:
            err.print(f"[yellow]{escape(feed.room)} {escape(feed.feed)}:[/yellow] {escape(note)}")
        for step in feed.steps:
            window = (
                f"{format_local(step.window.start_ms, zone)} - "
                f"{format_local(step.window.end_ms, zone)}"
                if step.window
                else ""
            )
            table.add_row(
                escape(feed.room),
                escape(feed.feed),
                escape(step.uid),
                step.action if step.ok else f"[red]{step.action}[/red]",
                str(step.grant_id or ""),
                window,
                escape(step.detail),
            )
    read = sum(feed.failure is None for feed in report.feeds)
    out.print(table if table.row_count else "Nothing to do: the grants follow the calendars.")
    out.print(f"{read} of {len(report.feeds)} feed(s) read.")


def _print_overview(overview: BookingsOverview, zone: ZoneInfo) -> None:
    from ttlock_bridge.access.time_window import format_local

    feeds = Table(title="Booking feeds", title_justify="left")
    for column in ("room", "feed", "last read", "last success", "error"):
        feeds.add_column(column)
    for status in overview.feeds:
        feeds.add_row(
            escape(status.room),
            escape(status.label),
            format_local(status.last_attempt_ms, zone) if status.last_attempt_ms else "never",
            format_local(status.last_success_ms, zone) if status.last_success_ms else "never",
            escape(status.last_error or ""),
        )
    out.print(feeds)
    table = Table(title="Current and upcoming bookings", title_justify="left")
    for column in ("room", "booking", "summary", "from", "to", "grant", "note"):
        table.add_column(column)
    for line in overview.bookings:
        grant = "-" if line.grant is None else f"{line.grant.id} {line.grant.summary}"
        table.add_row(
            escape(line.room),
            escape(line.uid),
            escape(line.summary),
            format_local(line.start_ms, zone),
            format_local(line.end_ms, zone),
            grant,
            escape(line.note or ""),
        )
    out.print(table if overview.bookings else "No current or upcoming bookings.")
