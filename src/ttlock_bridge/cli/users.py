"""`ttlock-bridge users add|list|remove|passwd`: the front-desk console's operator accounts.

They need only the configuration's database, never the TTLock credentials. A password is asked
twice without echo, or read from the first line of standard input with `--password-stdin`
(scripts, tests); it is never printed.
"""

from __future__ import annotations

import socket
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, NoReturn

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
)

if TYPE_CHECKING:
    from ttlock_bridge.config import Config
    from ttlock_bridge.operations.accounts import Accounts

users_app = typer.Typer(
    name="users",
    help="Operator accounts of the front-desk console (desk or admin).",
    no_args_is_help=True,
)
app.add_typer(users_app)

OperatorName = Annotated[
    str, typer.Argument(help="The operator's sign-in name (any case: Anna and anna are one).")
]
PasswordStdin = Annotated[
    bool,
    typer.Option("--password-stdin", help="Read the password from standard input's first line."),
]


@users_app.command("add")
def add(
    name: OperatorName,
    role: Annotated[
        str, typer.Option(help="desk: board, issue, modify, cancel; admin: also upkeep.")
    ] = "desk",
    password_stdin: PasswordStdin = False,
    config: ConfigOption = DEFAULT_CONFIG_PATH,
) -> None:
    """Create a console account (asks for its password twice)."""
    from ttlock_bridge.store import OperatorRole

    if role not in {member.value for member in OperatorRole}:
        _fail("--role is desk or admin")
    password = _password(password_stdin)
    with _accounts(config) as (accounts, loaded):
        _act(lambda: accounts.add(name, password, OperatorRole(role)))
    out.print(f"Operator {escape(name.lower())} ({role}) added; {escape(sign_in_hint(loaded))}")


@users_app.command("list")
def list_users(config: ConfigOption = DEFAULT_CONFIG_PATH) -> None:
    """List the console accounts."""
    with _accounts(config) as (accounts, _loaded):
        found = accounts.all()
    if not found:
        out.print("No operators yet: ttlock-bridge users add NAME --role admin")
        return
    table = Table(title="Operators", title_justify="left")
    for column in ("name", "role", "created (UTC)"):
        table.add_column(column)
    for account in found:
        created = datetime.fromtimestamp(account.created_at_ms / 1000, UTC)
        table.add_row(escape(account.name), account.role.value, f"{created:%Y-%m-%d %H:%M}")
    out.print(table)


@users_app.command("remove")
def remove(name: OperatorName, config: ConfigOption = DEFAULT_CONFIG_PATH) -> None:
    """Delete a console account; its browser sessions end at once."""
    with _accounts(config) as (accounts, _loaded):
        _act(lambda: accounts.remove(name))
    out.print(f"Operator {escape(name)} removed.")


@users_app.command("passwd")
def passwd(
    name: OperatorName,
    password_stdin: PasswordStdin = False,
    config: ConfigOption = DEFAULT_CONFIG_PATH,
) -> None:
    """Set a new password (asks twice); the account's browser sessions end at once."""
    password = _password(password_stdin)
    with _accounts(config) as (accounts, _loaded):
        _act(lambda: accounts.set_password(name, password))
    out.print(f"Password of {escape(name)} changed; signed-in browsers must sign in again.")


def sign_in_hint(config: Config) -> str:
    """Where the operator signs in: the console's address from `[server]` (this machine's
    name when the bridge listens on every address), or that the console is off."""
    if not config.console.enabled:
        return "the console is off: set [console] enabled = true to let them sign in"
    host = config.server.host
    if host in ("", "0.0.0.0", "::"):  # noqa: S104 - a comparison
        host = socket.gethostname()
    elif ":" in host:
        host = f"[{host}]"
    return f"they sign in at the bridge's address, e.g. http://{host}:{config.server.port}/"


@contextmanager
def _accounts(config_path: Path) -> Iterator[tuple[Accounts, Config]]:
    from ttlock_bridge.clock import wall_clock_ms
    from ttlock_bridge.operations.accounts import Accounts
    from ttlock_bridge.store import open_store

    try:
        config = load_config_or_problem(config_path)
    except CommandProblem as problem:
        _fail(str(problem))
    store = open_store(config.store_url)
    try:
        yield Accounts(store, wall_clock_ms), config
    finally:
        store.close()


def _act(action: Callable[[], object]) -> None:
    from ttlock_bridge.operations.accounts import AccountProblem

    try:
        action()
    except AccountProblem as problem:
        _fail(str(problem))


def _password(from_stdin: bool) -> str:
    if from_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    password: str = typer.prompt("Password", hide_input=True, confirmation_prompt=True)
    return password


def _fail(message: str) -> NoReturn:
    err.print(f"[red]Error:[/red] {escape(message)}")
    raise typer.Exit(2)
