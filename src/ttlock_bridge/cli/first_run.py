"""`ttlock-bridge init`: a first configuration from the TTLock account, and zero-config mode's
reading of the account (`serve` without a file).

Both read the account's locks with the credentials from the environment (one token, the one
`serve` uses) and build on `service.first_run.propose`; `init` asks (or takes flags) and writes
the file, zero-config keeps it in memory and says how to freeze it.
"""

from __future__ import annotations

import asyncio
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.markup import escape
from rich.table import Table

from ttlock_bridge.cli.app import app
from ttlock_bridge.cli.context import (
    CREDENTIAL_VARIABLES,
    DEFAULT_CONFIG_PATH,
    CommandProblem,
    api_base_for,
    command_cloud,
    credentials_from_environment,
    err,
    out,
    run_command,
    writable_folder,
)
from ttlock_bridge.text import strip_unsafe

if TYPE_CHECKING:
    from ttlock_bridge.cloud import Credentials, LockSummary
    from ttlock_bridge.config import Config
    from ttlock_bridge.service.first_run import Proposal

NO_SHARED_DOORS = "none"
SHARED_VARIABLE = "BRIDGE_SHARED_DOORS"
TIMEZONE_VARIABLE = "BRIDGE_TIMEZONE"
WRITABLE = "choose a folder this user can write (in the container image: /data, owned by uid 10001)"


@app.command()
def init(
    *,
    output: Annotated[
        Path, typer.Option("--output", "-o", help="The file to write.")
    ] = DEFAULT_CONFIG_PATH,
    shared: Annotated[
        list[str] | None,
        typer.Option(
            "--shared",
            help="A door every room's guests open (main entrance, floor door): its name in "
            'TTLock or its lockId; repeat for several, "none" for none. Default: the locks '
            "whose name says entrance.",
            show_default=False,
        ),
    ] = None,
    timezone: Annotated[
        str | None,
        typer.Option(
            help="The property's IANA time zone, e.g. Europe/Berlin. Default: this machine's "
            "when it matches the locks.",
            show_default=False,
        ),
    ] = None,
    name: Annotated[str, typer.Option(help="The property's name.")] = "My property",
    region: Annotated[
        str | None,
        typer.Option(
            help="TTLock region: eu, global, cn, or a base URL. Default: TTLOCK_API_BASE, else eu.",
            show_default=False,
        ),
    ] = None,
    yes: Annotated[
        bool, typer.Option("--yes", "-y", help="Ask nothing: the flags and defaults as they are.")
    ] = False,
    force: Annotated[bool, typer.Option(help="Overwrite the file if it exists.")] = False,
) -> None:
    """Write a first configuration from your TTLock account: doors, rooms and time zone."""
    from ttlock_bridge.config import ConfigError, load_config
    from ttlock_bridge.service.first_run import UnknownSharedDoor, propose, render

    if output.exists() and not force:
        raise _problem(f"{output} exists: choose another --output, or --force to replace it")
    if not name.strip():
        raise _problem("--name is blank: give the property a name")
    interactive = not yes and sys.stdin.isatty()
    credentials = _credentials(ask=interactive)
    try:
        base = api_base_for(None, region)
    except CommandProblem as problem:
        raise _problem(str(problem)) from None
    data_setting = os.environ.get("BRIDGE_DATA_DIR") or "data"  # as zero-config would have it
    data_dir = output.parent / data_setting
    try:
        writable_folder(data_dir, what="data directory", advice=f"{WRITABLE} (BRIDGE_DATA_DIR)")
        writable_folder(output.parent, what="folder of --output", advice=WRITABLE)
    except CommandProblem as problem:
        raise _problem(str(problem)) from None
    locks = run_command(lambda: account_locks(data_dir, credentials, base))
    if not locks:
        raise _problem("the TTLock account has no locks: add them in the TTLock app first")
    _show_locks(locks)
    wanted = _shared_answer(shared, locks, interactive)
    try:
        proposal = propose(locks, shared=wanted, timezone=timezone, property_name=name)
        if interactive:
            proposal = _confirm(proposal, locks)
    except (UnknownSharedDoor, ValueError) as problem:
        raise _problem(str(problem)) from None
    _show_plan(proposal)
    if interactive and not typer.confirm(f"Write {output}?", default=True):
        raise typer.Exit(1)
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(render(proposal, api_base=base, data_dir=data_setting), encoding="utf-8")
    try:
        load_config(output)
    except ConfigError as error:  # a bug of ours: say it plainly, keep the file to look at
        raise _problem(
            "\n".join(str(problem) for problem in error.problems)
            + f"\n{output}: written, but it does not load (please report this)"
        ) from None
    out.print(f"Wrote {escape(str(output))}. Check it, then run: ttlock-bridge serve")


def zero_config(data_dir: Path, credentials: Credentials, base: str) -> Config:
    """The configuration `init --yes` would write, in memory: every lock a door, rooms as
    `init` defaults them, shared doors from BRIDGE_SHARED_DOORS and the zone from
    BRIDGE_TIMEZONE when set. Says on stderr what it assumed and how to freeze it."""
    from ttlock_bridge.config import ConfigError, load_config_text
    from ttlock_bridge.service.first_run import UnknownSharedDoor, propose, render

    try:
        writable_folder(data_dir, what="data directory", advice=f"{WRITABLE} (BRIDGE_DATA_DIR)")
    except CommandProblem as problem:
        raise _problem(str(problem)) from None
    locks = run_command(lambda: account_locks(data_dir, credentials, base))
    if not locks:
        raise _problem("the TTLock account has no locks: add them in the TTLock app first")
    listed = os.environ.get(SHARED_VARIABLE) or None  # empty (an env file's KEY=) is unset
    wanted = _shared_doors(listed.split(",") if listed is not None else None, locks)
    try:
        zone = os.environ.get(TIMEZONE_VARIABLE) or None
        proposal = propose(locks, shared=wanted, timezone=zone)
        text = render(proposal, api_base=base, data_dir=str(data_dir.resolve()))
        config = load_config_text(text, data_dir / "zero-config.toml")
    except UnknownSharedDoor as problem:
        raise _problem(
            f"zero-config mode (no configuration file): {SHARED_VARIABLE}: {problem}"
        ) from None
    except ValueError as problem:
        raise _problem(
            f"zero-config mode (no configuration file): {TIMEZONE_VARIABLE}: {problem}"
        ) from None
    except ConfigError as error:
        raise _problem("\n".join(str(problem) for problem in error.problems)) from None
    err.print(f"No {DEFAULT_CONFIG_PATH}: zero-config mode. Assumed:")
    _show_plan(proposal, console_out=False)
    err.print(f"  data in {escape(str(config.data_dir))}")
    shared_flags = " ".join(f"--shared {door}" for door in proposal.shared) or "--shared none"
    err.print(
        f"Freeze it into a file to change it: BRIDGE_DATA_DIR={escape(str(config.data_dir))} "
        f"ttlock-bridge init {escape(shared_flags)} --timezone {escape(proposal.timezone)} "
        f"--output {escape(str(data_dir.resolve() / 'ttlock-bridge.toml'))} --yes "
        "(then point --config or BRIDGE_CONFIG at it)"
    )
    return config


async def account_locks(data_dir: Path, credentials: Credentials, base: str) -> list[LockSummary]:
    """Every lock of the account (1 lock-list call; the token is the store's in `data_dir`)."""
    from ttlock_bridge.config import DATABASE_FILE_NAME, CloudSettings
    from ttlock_bridge.store import Store, open_store

    def opened() -> Store:
        data_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
        return open_store(f"sqlite:///{data_dir / DATABASE_FILE_NAME}")

    store = await asyncio.to_thread(opened)
    try:
        budget = CloudSettings().monthly_budget
        async with command_cloud(
            store, credentials, base, monthly_budget=budget, legacy_dir=data_dir
        ) as cloud:
            return [lock async for lock in cloud.locks()]
    finally:
        store.close()


def _credentials(*, ask: bool) -> Credentials:
    """From the environment; asked for when missing and someone is at the keyboard."""
    from ttlock_bridge.cloud import Credentials

    missing = [name for name in CREDENTIAL_VARIABLES if not os.environ.get(name)]
    if missing and ask:
        err.print("The TTLock account (kept only in memory; export them for `serve`):")
        values = {
            name: os.environ.get(name)
            or typer.prompt(name, hide_input=name.endswith(("SECRET", "PASSWORD")))
            for name in CREDENTIAL_VARIABLES
        }
        return Credentials.with_password(*(values[name] for name in CREDENTIAL_VARIABLES))
    try:
        return credentials_from_environment()
    except CommandProblem as problem:
        raise _problem(str(problem)) from None


def _shared_answer(
    flags: list[str] | None, locks: list[LockSummary], interactive: bool
) -> list[str]:
    wanted = _shared_doors(flags, locks)
    if not interactive or flags:
        return wanted
    by_id = {str(lock.lock_id): lock.display_name for lock in locks}
    if wanted:
        err.print(
            "Proposed shared doors: "
            + escape(", ".join(f"{strip_unsafe(by_id.get(d, d))} ({d})" for d in wanted))
        )
    answer = typer.prompt(
        "Doors every guest opens (main entrance, floor doors): names or lockIds, "
        'comma-separated, or "none"',
        default=", ".join(wanted) or NO_SHARED_DOORS,
    )
    return _shared_doors(answer.split(","), locks)


def _shared_doors(given: list[str] | None, locks: list[LockSummary]) -> list[str]:
    """The doors named (`none`: no shared door), or by default those called an entrance."""
    from ttlock_bridge.service.first_run import likely_shared

    if given is None:
        return likely_shared(locks)
    names = [name.strip() for name in given if name.strip()]
    return [] if [name.casefold() for name in names] == [NO_SHARED_DOORS] else names


def _confirm(proposal: Proposal, locks: list[LockSummary]) -> Proposal:
    from ttlock_bridge.service.first_run import propose

    name = typer.prompt("The property's name", default=proposal.property_name)
    err.print(f"Time zone: {escape(proposal.timezone)} ({escape(proposal.zone_reason)})")
    timezone = typer.prompt("The property's time zone (IANA)", default=proposal.timezone)
    if timezone == proposal.timezone:  # the guess taken: keep why it was guessed
        return propose(locks, shared=proposal.shared, property_name=name)
    return propose(locks, shared=proposal.shared, timezone=timezone, property_name=name)


def _show_locks(locks: list[LockSummary]) -> None:
    table = Table(title="Locks of the TTLock account", title_justify="left")
    for column in ("lockId", "name in TTLock", "gateway", "battery"):
        table.add_column(column)
    for lock in sorted(locks, key=lambda found: found.lock_id):
        gateway = "?" if lock.has_gateway is None else ("yes" if lock.has_gateway else "no")
        battery = "?" if lock.electric_quantity is None else f"{lock.electric_quantity}%"
        table.add_row(str(lock.lock_id), escape(strip_unsafe(lock.display_name)), gateway, battery)
    err.print(table)


def _show_plan(proposal: Proposal, *, console_out: bool = True) -> None:
    console = out if console_out else err
    console.print(
        f"  time zone {escape(proposal.timezone)} ({escape(proposal.zone_reason)})\n"
        f"  doors: {escape(', '.join(f'{d.name} ({d.lock_id})' for d in proposal.doors))}\n"
        f"  shared by every room: {escape(', '.join(proposal.shared) or 'none')}\n"
        f"  rooms: {escape(', '.join(proposal.rooms) or 'none')}"
    )


def _problem(text: str) -> typer.Exit:
    err.print(f"[red]Error:[/red] {escape(text)}")
    return typer.Exit(2)
