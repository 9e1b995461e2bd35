"""`ttlock-bridge grants create|list|show|modify|new-code|cancel`, `cleanup` and `drift`.

They act on the property exactly as the service does: the configuration file, its database
and the TTLock account from the environment. Only `create`, `show`, `new-code` (and `modify`
given a code) print full passcodes.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, TypeVar

import typer
from rich.markup import escape
from rich.table import Table

from ttlock_bridge.cli.app import app
from ttlock_bridge.cli.config import load_config_or_problem
from ttlock_bridge.cli.context import (
    DEFAULT_CONFIG_PATH,
    ConfigOption,
    out,
    property_access,
    run_command,
)

if TYPE_CHECKING:
    from zoneinfo import ZoneInfo

    from ttlock_bridge.access import (
        Access,
        CleanupReport,
        DoorStatus,
        DriftItem,
        DriftReport,
        GrantView,
    )

T = TypeVar("T")

grants_app = typer.Typer(
    name="grants", help="Guest grants: one code on a room's doors for a stay.", no_args_is_help=True
)
app.add_typer(grants_app)

Start = Annotated[
    str, typer.Option("--start", help="Arrival: 2026-11-23 (check-in time), 2026-11-23T14:00.")
]
End = Annotated[
    str, typer.Option("--end", help="Departure: 2026-11-25 (check-out time), 2026-11-25T10:00.")
]
GrantId = Annotated[int, typer.Argument(help="The grant's id (see `grants list`).")]
STATUS_STYLE = {
    "active": "green",
    "pending": "yellow",
    "failed": "red",
    "removing": "yellow",
    "expiring": "yellow",
}
HANDED_BACK = ("removing", "removed", "expiring")
"""Door statuses of a withdrawn code: its window and first-use rule no longer matter."""


@grants_app.command("create")
def create(
    room: Annotated[str | None, typer.Argument(help="The room (its doors + shared doors).")] = None,
    *,
    start: Start,
    end: End,
    door: Annotated[
        list[str] | None, typer.Option("--door", help="A door, instead of a room; repeatable.")
    ] = None,
    name: Annotated[str | None, typer.Option(help="Guest or booking name.")] = None,
    code: Annotated[str | None, typer.Option(help="4-9 digits; generated when left out.")] = None,
    config: ConfigOption = DEFAULT_CONFIG_PATH,
) -> None:
    """Issue a code for a stay on a room's doors (or on the doors given)."""
    from ttlock_bridge.access import GrantRequest

    request = GrantRequest(start=start, end=end, room=room, doors=door, name=name, code=code)
    view, zone = _on_property(config, lambda access: access.grants.create(request))
    _print_grant(view, zone, show_code=True)


@grants_app.command("list")
def list_grants(
    room: Annotated[str | None, typer.Option(help="Only this room.")] = None,
    all_: Annotated[bool, typer.Option("--all", help="Include ended and cancelled.")] = False,
    config: ConfigOption = DEFAULT_CONFIG_PATH,
) -> None:
    """List current grants (codes masked)."""
    from ttlock_bridge.cloud import shown_code

    views, _zone = _on_property(
        config, lambda access: access.grants.find(room=room, include_inactive=all_)
    )
    table = Table(title="Grants", title_justify="left")
    for column in ("id", "name", "room", "from", "to", "code", "state", "doors"):
        table.add_column(column)
    for view in views:
        doors = ", ".join(_door_in_list(door, view.codes_differ) for door in view.doors)
        table.add_row(
            str(view.id),
            escape(view.name),
            escape(view.room or "-"),
            view.start_local,
            view.end_local,
            "per door" if view.codes_differ else shown_code(view.code, reveal=False),
            view.state,
            doors,
        )
    out.print(table if views else "No grants.")


@grants_app.command("show")
def show(grant_id: GrantId, config: ConfigOption = DEFAULT_CONFIG_PATH) -> None:
    """Show one grant with the status of each door, and what to do about failures."""
    view, zone = _on_property(config, lambda access: access.grants.get(grant_id))
    _print_grant(view, zone, show_code=True)


@grants_app.command("modify")
def modify(
    grant_id: GrantId,
    *,
    start: Annotated[str | None, typer.Option(help="New arrival.")] = None,
    end: Annotated[str | None, typer.Option(help="New departure.")] = None,
    name: Annotated[str | None, typer.Option(help="New name.")] = None,
    code: Annotated[str | None, typer.Option(help="New code (4-9 digits).")] = None,
    config: ConfigOption = DEFAULT_CONFIG_PATH,
) -> None:
    """Change dates, code or name on every door (also retries doors that failed)."""
    from ttlock_bridge.access import GrantChanges

    changes = GrantChanges(start=start, end=end, name=name, code=code)
    view, zone = _on_property(config, lambda access: access.grants.modify(grant_id, changes))
    _print_grant(view, zone, show_code=code is not None)


@grants_app.command("new-code")
def new_code(grant_id: GrantId, config: ConfigOption = DEFAULT_CONFIG_PATH) -> None:
    """Give a grant a fresh generated code (e.g. the old one was disclosed), on every door."""
    view, zone = _on_property(config, lambda access: access.grants.new_code(grant_id))
    _print_grant(view, zone, show_code=True)


@grants_app.command("cancel")
def cancel(grant_id: GrantId, config: ConfigOption = DEFAULT_CONFIG_PATH) -> None:
    """Withdraw a grant: its code is deleted from every door (an offline code that no gateway
    can delete stays valid to its end: the door shows `expiring` and what to do)."""

    async def cancelled(access: Access) -> GrantView:
        return (await access.grants.cancel(grant_id)).view

    view, zone = _on_property(config, cancelled)
    _print_grant(view, zone, show_code=False)


@app.command()
def cleanup(
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="List what would be deleted; delete nothing.")
    ] = False,
    sweep: Annotated[
        bool,
        typer.Option("--sweep", help="Also delete expired period codes that are not ours."),
    ] = False,
    config: ConfigOption = DEFAULT_CONFIG_PATH,
) -> None:
    """Delete the codes of stays that ended more than the grace period ago."""

    async def run() -> CleanupReport:
        async with property_access(load_config_or_problem(config)) as access:
            with out.status("Cleaning up: deleting codes through the gateways..."):
                return await access.cleanup.run(dry_run=dry_run, sweep=sweep)

    report = run_command(run)
    title = "Cleanup (dry run: nothing deleted)" if report.dry_run else "Cleanup"
    table = Table(title=title, title_justify="left")
    for column in ("door", "lock", "passcode", "grant", "reason", "outcome"):
        table.add_column(column)
    for item in report.items:
        table.add_row(
            escape(item.door),
            str(item.lock_id),
            escape(item.name),
            str(item.grant_id or "-"),
            item.reason,
            escape(item.outcome),
        )
    out.print(table if report.items else "Nothing to clean up.")


@app.command()
def drift(config: ConfigOption = DEFAULT_CONFIG_PATH) -> None:
    """Compare the locks with the ledger: unknown codes on locks, ledger codes missing."""

    async def run() -> DriftReport:
        async with property_access(load_config_or_problem(config)) as access:
            return await access.cleanup.drift()

    report = run_command(run)
    _print_drift("On the locks, unknown to the ledger", report.unknown_on_locks)
    _print_drift("In the ledger, missing from the locks", report.missing_from_locks)


def _on_property(config: Path, act: Callable[[Access], Awaitable[T]]) -> tuple[T, ZoneInfo]:
    """Run `act` on the property's access core (a problem becomes a message and an exit
    code); what it returned, and the property's zone to show local times in."""

    async def run() -> tuple[T, ZoneInfo]:
        settings = load_config_or_problem(config)
        async with property_access(settings) as access:
            return await act(access), settings.property.zone

    return run_command(run)


def _print_grant(view: GrantView, zone: ZoneInfo, *, show_code: bool) -> None:
    """The grant's line and a table of its doors; where the doors take different codes (an
    offline door has its own), each door's code and kind."""
    from ttlock_bridge.cloud import shown_code

    code = (
        "a code per door"
        if view.codes_differ
        else f"code [bold]{shown_code(view.code, reveal=show_code)}[/bold]"
    )
    out.print(
        f"Grant {view.id} [bold]{escape(view.name)}[/bold]: {code}, "
        f"{view.start_local} to {view.end_local}, {view.state}"
    )
    table = Table(title_justify="left")
    columns = ["door", "lock", "status", "code", "kind", "detail"]
    for column in columns if view.codes_differ else ["door", "lock", "status", "detail"]:
        table.add_column(column)
    for door in view.doors:
        cells = [escape(door.door), str(door.lock_id), _styled(door.status)]
        if view.codes_differ:
            cells += [shown_code(door.code, reveal=show_code) or "not issued yet", door.kind]
        table.add_row(*cells, escape(_door_detail(door, zone)))
    out.print(table)


def _door_detail(door: DoorStatus, zone: ZoneInfo) -> str:
    """Why a door waits or failed and when it is tried again; what an expiring code means;
    an offline code's window and the time it must first be used by."""
    from ttlock_bridge.access.time_window import format_local

    parts = []
    if door.error:
        parts.append(f"{door.guidance or door.error} (errcode {door.errcode})")
    elif door.status == "expiring" and door.guidance:
        parts.append(door.guidance)
    if door.next_attempt_ms and door.status in ("pending", "removing"):
        retry = datetime.fromtimestamp(door.next_attempt_ms / 1000, UTC)
        parts.append(f"next try {retry:%H:%M:%S} UTC")
    if door.kind == "offline" and door.status not in HANDED_BACK:
        why = f" ({door.offline_reason})" if door.offline_reason else ""
        window = f"{format_local(door.start_ms, zone)} to {format_local(door.end_ms, zone)}"
        offline = f"offline{why}: valid {window}"
        if door.use_by_ms is not None:
            use_by = format_local(door.use_by_ms, zone)
            offline += f", use once before {use_by} or the lock voids it"
        parts.append(offline)
    return "; ".join(parts)


def _door_in_list(door: DoorStatus, codes_differ: bool) -> str:
    """`room-1 active`, and where the grant's doors take different codes `room-1 active
    ****15 offline` (codes masked, as everywhere in a list)."""
    from ttlock_bridge.cloud import shown_code

    shown = f"{escape(door.door)} {_styled(door.status)}"
    if codes_differ:
        shown += f" {shown_code(door.code, reveal=False) or '-'} {door.kind}"
    return shown


def _print_drift(title: str, items: list[DriftItem]) -> None:
    if not items:
        out.print(f"{title}: none.")
        return
    table = Table(title=title, title_justify="left")
    for column in ("door", "lock", "passcode id", "name", "code", "ours"):
        table.add_column(column)
    for item in items:
        table.add_row(
            escape(item.door),
            str(item.lock_id),
            str(item.keyboard_pwd_id),
            escape(item.name),
            item.masked_code,
            "yes" if item.ours else "no",
        )
    out.print(table)


def _styled(status: str) -> str:
    style = STATUS_STYLE.get(status)
    return f"[{style}]{status}[/{style}]" if style else status
