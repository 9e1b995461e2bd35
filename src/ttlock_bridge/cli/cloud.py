"""`ttlock-bridge login | register-user | locks | unlock | lock`: the TTLock account by hand.

Credentials come from the environment (TTLOCK_CLIENT_ID, TTLOCK_CLIENT_SECRET, TTLOCK_USERNAME,
TTLOCK_PASSWORD, TTLOCK_API_BASE); the token is kept in the bridge's database (the configuration's
store when `ttlock-bridge.toml` exists, else SQLite in the data directory), the one `serve`
uses. Every failure prints its cause and fix and exits non-zero, without a traceback.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.markup import escape
from rich.table import Table

from ttlock_bridge.cli.app import app
from ttlock_bridge.cli.config import load_config_or_problem
from ttlock_bridge.cli.context import (
    DEFAULT_CONFIG_PATH,
    CommandProblem,
    api_base_for,
    command_cloud,
    credentials_from_environment,
    environment,
    out,
    run_command,
)

if TYPE_CHECKING:
    from ttlock_bridge.cloud import Credentials, Gateway, LockSummary, TTLockClient
    from ttlock_bridge.config import Config

RECENT_RECORDS = 20

Region = Annotated[
    str | None,
    typer.Option(
        "--region",
        help="TTLock region: eu, global, cn, or a base URL. Default: TTLOCK_API_BASE, else eu.",
        show_default=False,
    ),
]
DataDir = Annotated[
    Path,
    typer.Option(
        "--data-dir",
        envvar="BRIDGE_DATA_DIR",
        help="The database's folder when there is no configuration file.",
    ),
]
OptionalConfig = Annotated[
    Path | None,
    typer.Option(
        "--config",
        "-c",
        envvar="BRIDGE_CONFIG",
        help="The configuration whose store and region to use (default: ttlock-bridge.toml "
        "when it exists).",
        show_default=False,
    ),
]
LockArgument = Annotated[str, typer.Argument(help="A lockId or the lock's name in TTLock.")]


@app.command()
def login(
    region: Region = None, data_dir: DataDir = Path("data"), config: OptionalConfig = None
) -> None:
    """Log in to TTLock with the account from the environment and store the token."""

    place = _Place(data_dir, config)

    async def run(client: TTLockClient) -> None:
        token = await client.log_in()
        expires = datetime.fromtimestamp(token.expires_at_ms / 1000, UTC)
        out.print(
            f"Logged in as {escape(token.username)}; token valid until "
            f"{expires:%Y-%m-%d %H:%M} UTC, stored in {escape(place.shown_store())} "
            "(where `serve` with the same configuration reads it)"
        )

    _run(run, region, place)


@app.command("register-user")
def register_user(
    username: Annotated[str, typer.Argument(help="Letters and digits only.")],
    password: Annotated[
        str,
        typer.Option(prompt=True, hide_input=True, confirmation_prompt=True, help="For the user."),
    ],
    region: Region = None,
) -> None:
    """Register an app user for your TTLock application (TTLock prefixes its name)."""
    from ttlock_bridge.cloud import Credentials

    application = environment("TTLOCK_CLIENT_ID", "TTLOCK_CLIENT_SECRET")
    credentials = Credentials.with_password(
        application["TTLOCK_CLIENT_ID"], application["TTLOCK_CLIENT_SECRET"], username, password
    )

    async def run(client: TTLockClient) -> None:
        prefixed = await client.register_user(username, password)
        out.print(f"Registered {escape(prefixed)}. Use it from now on:")
        out.print(f"  export TTLOCK_USERNAME={escape(prefixed)}")

    _run(run, region, place=None, credentials=credentials)


@app.command()
def locks(
    region: Region = None, data_dir: DataDir = Path("data"), config: OptionalConfig = None
) -> None:
    """List the account's locks: battery, gateway and the last known bolt state."""

    async def run(client: TTLockClient) -> None:
        all_locks = [lock async for lock in client.locks()]
        gateways = {gateway.gateway_id: gateway async for gateway in client.gateways()}
        rows = await asyncio.gather(*(_lock_row(client, lock, gateways) for lock in all_locks))
        table = Table(title="TTLock locks", title_justify="left")
        for column in ("id", "name", "battery", "gateway", "last known state"):
            table.add_column(column)
        for row in rows:
            table.add_row(*map(escape, row))
        out.print(table)

    _run(run, region, _Place(data_dir, config))


@app.command()
def unlock(
    lock: LockArgument,
    region: Region = None,
    data_dir: DataDir = Path("data"),
    config: OptionalConfig = None,
) -> None:
    """Open a lock remotely through its gateway."""

    async def run(client: TTLockClient) -> None:
        target = await _find_lock(client, lock)
        await client.unlock(target.lock_id)
        out.print(f"Unlocked {escape(target.display_name)} (lock {target.lock_id}).")

    _run(run, region, _Place(data_dir, config))


@app.command("lock")
def lock_command(
    lock: LockArgument,
    region: Region = None,
    data_dir: DataDir = Path("data"),
    config: OptionalConfig = None,
) -> None:
    """Lock a lock remotely through its gateway."""

    async def run(client: TTLockClient) -> None:
        target = await _find_lock(client, lock)
        await client.lock(target.lock_id)
        out.print(f"Locked {escape(target.display_name)} (lock {target.lock_id}).")

    _run(run, region, _Place(data_dir, config))


@dataclass(frozen=True)
class _Place:
    """Where the token lives: the configuration's store, else SQLite in the data directory."""

    data_dir: Path
    config: Path | None

    def store_url(self, config: Config | None) -> str:
        """`config`: this place's configuration, loaded (None when there is none)."""
        from ttlock_bridge.config import DATABASE_FILE_NAME

        return config.store_url if config else f"sqlite:///{self.data_dir / DATABASE_FILE_NAME}"

    def shown_store(self) -> str:
        """The store's URL without its password, for people."""
        from sqlalchemy import make_url

        return make_url(self.store_url(_configuration(self.config))).render_as_string(
            hide_password=True
        )


def _run(
    command: Callable[[TTLockClient], Awaitable[None]],
    region: str | None,
    place: _Place | None,
    credentials: Credentials | None = None,
) -> None:
    """Run `command` with a client built from the environment; turn failures into messages."""
    from ttlock_bridge.cloud import TTLockClient

    async def run() -> None:
        chosen = credentials or credentials_from_environment()
        config = None if place is None else _configuration(place.config)
        base = api_base_for(config, region)
        if place is None:
            async with TTLockClient(chosen, api_base=base) as client:
                await command(client)
            return
        async with _command_cloud(place, config, base, chosen) as client:
            await command(client)

    run_command(run)


def _configuration(path: Path | None) -> Config | None:
    """The named configuration, or ttlock-bridge.toml when it exists, else none."""
    if path is None:
        if not DEFAULT_CONFIG_PATH.exists():
            return None
        path = DEFAULT_CONFIG_PATH
    return load_config_or_problem(path)


@asynccontextmanager
async def _command_cloud(
    place: _Place, config: Config | None, base: str, credentials: Credentials
) -> AsyncIterator[TTLockClient]:
    """The client on the place's store: its token, and its usage ledger."""
    from ttlock_bridge.config import CloudSettings
    from ttlock_bridge.store import open_store

    data_dir = config.data_dir if config else place.data_dir
    data_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
    store = open_store(place.store_url(config))
    budget = (config.cloud if config else CloudSettings()).monthly_budget
    try:
        async with command_cloud(
            store, credentials, base, monthly_budget=budget, legacy_dir=data_dir
        ) as client:
            yield client
    finally:
        store.close()


async def _find_lock(client: TTLockClient, name_or_id: str) -> LockSummary:
    """The lock with this lockId, or whose name matches case-insensitively."""
    wanted = name_or_id.strip().casefold()
    matches = [
        lock
        async for lock in client.locks()
        if wanted in (str(lock.lock_id), lock.lock_alias.casefold(), lock.lock_name.casefold())
    ]
    if not matches:
        raise CommandProblem(
            f"No lock named or numbered {name_or_id!r} in this account: run "
            "`ttlock-bridge locks` to see the names and ids"
        )
    if len(matches) > 1:
        ids = ", ".join(str(lock.lock_id) for lock in matches)
        raise CommandProblem(f"Several locks are named {name_or_id!r} (ids {ids}): use the id")
    return matches[0]


async def _lock_row(
    client: TTLockClient, lock: LockSummary, gateways: dict[int, Gateway]
) -> tuple[str, str, str, str, str]:
    battery = "?" if lock.electric_quantity is None else f"{lock.electric_quantity}%"
    return (
        str(lock.lock_id),
        lock.display_name,
        battery,
        await _gateway_status(client, lock, gateways),
        await _last_known_state(client, lock),
    )


async def _gateway_status(
    client: TTLockClient, lock: LockSummary, gateways: dict[int, Gateway]
) -> str:
    if lock.has_gateway is False:
        return "none"
    links = await client.gateways_of_lock(lock.lock_id)
    reachable = [gateways.get(link.gateway_id) for link in links]
    if not reachable:
        return "none"
    return "online" if any(gateway and gateway.is_online for gateway in reachable) else "offline"


async def _last_known_state(client: TTLockClient, lock: LockSummary) -> str:
    """From the newest records (one page; no gateway call, so the lock is not woken up): the
    newest successful one that moved the bolt. Needs only recordType, success and lockDate,
    which every lockRecord/list item carries (older locks send no recordId nor
    recordTypeFromLock, and a null username, reference §13.1)."""
    from ttlock_bridge.cloud import bolt_state_after

    seen = 0
    async for record in client.records(lock.lock_id, page_size=RECENT_RECORDS):
        state = bolt_state_after(record.record_type) if record.success is not False else None
        if state is not None and record.lock_date is not None:
            when = datetime.fromtimestamp(record.lock_date / 1000, UTC)
            return f"{state} ({when:%Y-%m-%d %H:%M} UTC)"
        seen += 1
        if seen == RECENT_RECORDS:
            break
    return "unknown"
