"""`ttlock-bridge grants create|list|show|modify|new-code|cancel`, `cleanup` and `drift`.

They act on the property exactly as the service does: the configuration file, its database
and the TTLock account from the environment. Only `create`, `show`, `new-code` (and `modify`
given a code) print full passcodes.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import TYPE_CHECKING, Annotated

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
    from ttlock_bridge.access import CleanupReport, DriftItem, DriftReport, GrantView

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
STATUS_STYLE = {"active": "green", "pending": "yellow", "failed": "red", "removing": "yellow"}


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

    async def run() -> GrantView:
        async with property_access(load_config_or_problem(config)) as access:
            return await access.grants.create(request)

    _print_grant(run_command(run), show_code=True)


@grants_app.command("list")
def list_grants(
    room: Annotated[str | None, typer.Option(help="Only this room.")] = None,
    all_: Annotated[bool, typer.Option("--all", help="Include ended and cancelled.")] = False,
    config: ConfigOption = DEFAULT_CONFIG_PATH,
) -> None:
    """List current grants (codes masked)."""

    async def run() -> list[GrantView]:
        async with property_access(load_config_or_problem(config)) as access:
            return await access.grants.find(room=room, include_inactive=all_)

    views = run_command(run)
    from ttlock_bridge.cloud import mask_code

    table = Table(title="Grants", title_justify="left")
    for column in ("id", "name", "room", "from", "to", "code", "state", "doors"):
        table.add_column(column)
    for view in views:
        doors = ", ".join(f"{door.door} {_styled(door.status)}" for door in view.doors)
        table.add_row(
            str(view.id),
            escape(view.name),
            escape(view.room or "-"),
            view.start_local,
            view.end_local,
            mask_code(view.code),
            view.state,
            doors,
        )
    out.print(table if views else "No grants.")


@grants_app.command("show")
def show(grant_id: GrantId, config: ConfigOption = DEFAULT_CONFIG_PATH) -> None:
    """Show one grant with the status of each door, and what to do about failures."""

    async def run() -> GrantView:
        async with property_access(load_config_or_problem(config)) as access:
            return await access.grants.get(grant_id)

    _print_grant(run_command(run), show_code=True)


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

    async def run() -> GrantView:
        async with property_access(load_config_or_problem(config)) as access:
            return await access.grants.modify(grant_id, changes)

    _print_grant(run_command(run), show_code=code is not None)


@grants_app.command("new-code")
def new_code(grant_id: GrantId, config: ConfigOption = DEFAULT_CONFIG_PATH) -> None:
    """Give a grant a fresh generated code (e.g. the old one was disclosed), on every door."""

    async def run() -> GrantView:
        async with property_access(load_config_or_problem(config)) as access:
            return await access.grants.new_code(grant_id)

    _print_grant(run_command(run), show_code=True)


@grants_app.command("cancel")
def cancel(grant_id: GrantId, config: ConfigOption = DEFAULT_CONFIG_PATH) -> None:
    """Withdraw a grant: its code is deleted from every door."""

    async def run() -> GrantView:
        async with property_access(load_config_or_problem(config)) as access:
            return (await access.grants.cancel(grant_id)).view

    _print_grant(run_command(run), show_code=False)


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


def _print_grant(view: GrantView, *, show_code: bool) -> None:
    from ttlock_bridge.cloud import mask_code

    code = view.code if show_code else mask_code(view.code)
    out.print(
        f"Grant {view.id} [bold]{escape(view.name)}[/bold]: code [bold]{code}[/bold], "
        f"{view.start_local} to {view.end_local}, {view.state}"
    )
    table = Table(title_justify="left")
    for column in ("door", "lock", "status", "detail"):
        table.add_column(column)
    for door in view.doors:
        detail = ""
        if door.error:
            detail = f"{door.guidance or door.error} (errcode {door.errcode})"
        if door.next_attempt_ms and door.status in ("pending", "removing"):
            retry = datetime.fromtimestamp(door.next_attempt_ms / 1000, UTC)
            detail += f"; next try {retry:%H:%M:%S} UTC"
        table.add_row(escape(door.door), str(door.lock_id), _styled(door.status), escape(detail))
    out.print(table)


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
