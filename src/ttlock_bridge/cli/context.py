"""What commands that act on the property share: the configuration, credentials and the core.

Every problem a person can fix becomes `CommandProblem` (exit 2) with the fix in its text; a
TTLock refusal is reported with its guidance (exit 1); neither prints a traceback.
"""

from __future__ import annotations

import asyncio
import os
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, TypeVar

import typer
from rich.console import Console
from rich.markup import escape

if TYPE_CHECKING:  # commands import the parts they run when they run (fast --help)
    from ttlock_bridge.access import Access
    from ttlock_bridge.cloud import Credentials, TTLockClient
    from ttlock_bridge.config import Config
    from ttlock_bridge.store import Store

T = TypeVar("T")

CREDENTIAL_VARIABLES = (
    "TTLOCK_CLIENT_ID",
    "TTLOCK_CLIENT_SECRET",
    "TTLOCK_USERNAME",
    "TTLOCK_PASSWORD",
)

DEFAULT_CONFIG_PATH = Path("ttlock-bridge.toml")

ConfigOption = Annotated[
    Path, typer.Option("--config", "-c", help="The configuration file.", envvar="BRIDGE_CONFIG")
]

out = Console(highlight=False, soft_wrap=True)
err = Console(stderr=True, highlight=False, soft_wrap=True)


class CommandProblem(Exception):
    """Something the person has to fix before the command can work; the text says what."""


def writable_folder(folder: Path, *, what: str, advice: str) -> None:
    """`folder` exists (made if needed, mode 0700) and takes a file; else a `CommandProblem`
    naming `what` it is, the folder, the system's reason and `advice` (what to choose instead),
    rather than a traceback at the first write."""
    import tempfile

    try:
        folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        with tempfile.TemporaryFile(dir=folder):
            pass
    except OSError as error:
        raise CommandProblem(
            f"cannot write the {what} {folder} ({error.strerror}): {advice}"
        ) from None


def environment(*names: str) -> dict[str, str]:
    """The named environment variables, or a problem naming the missing ones."""
    missing = [name for name in names if not os.environ.get(name)]
    if missing:
        raise CommandProblem(
            f"{', '.join(missing)} not set: export the TTLock application's clientId and "
            "clientSecret (developer portal) and the TTLock app account's username and password "
            "(to try the bridge without an account: ttlock-bridge demo)"
        )
    return {name: os.environ[name] for name in names}


def credentials_from_environment() -> Credentials:
    from ttlock_bridge.cloud import Credentials

    values = environment(*CREDENTIAL_VARIABLES)
    return Credentials.with_password(*(values[name] for name in CREDENTIAL_VARIABLES))


def api_base_for(config: Config | None, region: str | None = None) -> str:
    """The TTLock host: `region`, else the configuration's, else TTLOCK_API_BASE, else EU."""
    from ttlock_bridge.cloud import DEFAULT_REGION, api_base

    where = region
    if where is None and config is not None:
        where = config.cloud.api_base or config.cloud.region
    try:
        return api_base(where or os.environ.get("TTLOCK_API_BASE") or DEFAULT_REGION)
    except ValueError as unknown:
        raise CommandProblem(str(unknown)) from None


@asynccontextmanager
async def property_access(config: Config) -> AsyncIterator[Access]:
    """The access core on the configured store and cloud, with the service's own token."""
    async with property_parts(config) as (access, _store):
        yield access


@asynccontextmanager
async def property_parts(config: Config) -> AsyncIterator[tuple[Access, Store]]:
    """`property_access`, and the store it works on (for commands that also keep records of
    their own, such as the booking sync)."""
    from ttlock_bridge.access import Access
    from ttlock_bridge.store import open_store

    credentials = credentials_from_environment()
    base = api_base_for(config)
    store = open_store(config.store_url)
    try:
        async with command_cloud(
            store, credentials, base, monthly_budget=config.cloud.monthly_budget
        ) as cloud:
            yield Access(config, store, cloud), store
    finally:
        store.close()


@asynccontextmanager
async def command_cloud(
    store: Store,
    credentials: Credentials,
    base: str,
    *,
    monthly_budget: int,
    legacy_dir: Path | None = None,
) -> AsyncIterator[TTLockClient]:
    """A client on the token `serve` uses (the store's), whose every call is counted in the
    store's usage ledger when the command ends: the month's budget sees what commands spend;
    on PostgreSQL its gateway commands take their turn at each lock with the replicas'.
    `legacy_dir` is where an earlier version's token file may wait to be moved in."""
    from ttlock_bridge.cloud import TTLockClient
    from ttlock_bridge.operations.usage import CloudUsage
    from ttlock_bridge.store.lock_turns import LockTurns
    from ttlock_bridge.store.replica import replica_name
    from ttlock_bridge.store.token_store import DatabaseTokenStore

    usage = CloudUsage(store, monthly_budget)
    tokens = DatabaseTokenStore(store, base, credentials.username, legacy_dir=legacy_dir)
    lock_turns = LockTurns.of(store, replica_name())  # beside serve replicas on PostgreSQL
    try:
        async with TTLockClient(
            credentials,
            api_base=base,
            token_store=tokens,
            observe_calls=usage.observe,
            lock_turns=lock_turns,
        ) as cloud:
            yield cloud
    finally:
        await usage.flush()
        if lock_turns is not None:
            await lock_turns.close()


def run_command(command: Callable[[], Awaitable[T]]) -> T:
    """Run an async command; turn what a person can fix into a message and an exit code."""
    from ttlock_bridge.access.errors import AccessError
    from ttlock_bridge.cloud import TTLockError

    try:
        return asyncio.run(_awaited(command))
    except (CommandProblem, AccessError) as problem:
        err.print(f"[red]Error:[/red] {escape(str(problem))}")
        raise typer.Exit(2) from None
    except TTLockError as error:
        err.print(f"[red]Error:[/red] {escape(error.guidance)}")
        origin = f"TTLock errcode {error.errcode}" if error.errcode is not None else "No answer"
        err.print(f"({escape(origin)}: {escape(error.message)})")
        raise typer.Exit(1) from None


async def _awaited(command: Callable[[], Awaitable[T]]) -> T:
    return await command()
