"""The configuration in the CLI: which one a command runs on (`load_config_or_problem`: the
file, or zero-config mode's when there is none), and `ttlock-bridge check-config`, which
validates the file and says exactly what is wrong.

Apart from the commands' shared helpers (`context`): zero-config mode is built by the first-run
code, which uses those helpers itself.
"""

from __future__ import annotations

import asyncio
import os
from pathlib import Path
from typing import TYPE_CHECKING

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from ttlock_bridge.cli.app import app
from ttlock_bridge.cli.context import (
    CREDENTIAL_VARIABLES,
    DEFAULT_CONFIG_PATH,
    CommandProblem,
    ConfigOption,
    api_base_for,
    credentials_from_environment,
)
from ttlock_bridge.config.mqtt import PASSWORD_VARIABLE

if TYPE_CHECKING:
    from ttlock_bridge.config import Config, Problem


@app.command("check-config")
def check_config(
    config: ConfigOption = DEFAULT_CONFIG_PATH,
) -> None:
    """Validate the configuration file: list every problem, or summarise what it describes."""
    from ttlock_bridge.config import ConfigError, load_config

    console = Console(highlight=False)
    try:
        loaded = load_config(config)
    except ConfigError as error:
        console.print(_problems_table(error.problems))
        console.print(f"[red]{len(error.problems)} problem(s) in {escape(str(config))}[/red]")
        raise typer.Exit(1) from None
    console.print(_summary(loaded))


def _problems_table(problems: list[Problem]) -> Table:
    table = Table(title="Configuration problems", title_justify="left")
    table.add_column("file")
    table.add_column("key", style="bold")
    table.add_column("value")
    table.add_column("what to do", style="yellow")
    for problem in problems:
        value = repr(problem.value) if problem.has_value else ""
        table.add_row(
            escape(str(problem.file)), escape(problem.key), escape(value), escape(problem.message)
        )
    return table


SCHEDULE_SHARE_WORTH_A_NOTE = 0.5
"""Above this share of the monthly budget, the schedule alone leaves too little for stays."""


def _budget_note(config: Config) -> str:
    """A note when the reads the schedule makes would spend much of `[cloud] monthly_budget`."""
    from ttlock_bridge.operations.usage import scheduled_calls_per_month

    spent = scheduled_calls_per_month(config.cloud, len(config.doors))
    budget = config.cloud.monthly_budget
    if spent <= SCHEDULE_SHARE_WORTH_A_NOTE * budget:
        return ""
    return (
        f"\n[yellow]Note:[/yellow] the schedule alone spends about {spent:,} TTLock calls a "
        f"month ({spent / budget:.0%} of cloud.monthly_budget = {budget:,}): lengthen "
        "cloud.gateway_poll (15m by default), cloud.detail_refresh or cloud.clock_check, or "
        "raise the budget if your TTLock plan allows it (docs/operations.md)"
    )


def _summary(config: Config) -> str:
    text = (
        f"[green]OK[/green] {escape(str(config.source))}: property "
        f"{escape(config.property.name)!r} in {config.property.timezone}, "
        f"{len(config.doors)} door(s){_door_modes(config)}, {len(config.rooms)} room(s)"
        f"{_offline_fallback(config)}"
    )
    if config.bookings:
        feeds = sum(len(settings.feeds) for settings in config.bookings.values())
        text += (
            f"; bookings from {feeds} calendar feed(s) for {len(config.bookings)} room(s) "
            f"({escape(', '.join(config.bookings))})"
        )
    text += _budget_note(config)
    mqtt = config.mqtt
    if mqtt is not None:
        commanded = sum(mqtt.commands_allowed(door) for door in config.doors)
        text += (
            f"; MQTT to {escape(mqtt.host)}:{mqtt.broker_port}"
            f"{' (TLS)' if mqtt.tls else ''}, commands on {commanded} door(s)"
        )
        if mqtt.username and not os.environ.get(PASSWORD_VARIABLE):
            text += (
                f"\n[yellow]Note:[/yellow] mqtt.username is set but {PASSWORD_VARIABLE} is "
                "empty here: export it where the bridge runs"
            )
    return text


def _door_modes(config: Config) -> str:
    """` (mode: room-3 offline, main-entrance online; the others auto)`: the doors whose
    `mode` is not the default, or "" when every door is `auto`."""
    chosen = [f"{name} {door.mode}" for name, door in config.doors.items() if door.mode != "auto"]
    if not chosen:
        return ""
    others = "; the others auto" if len(chosen) < len(config.doors) else ""
    return f" (mode: {escape(', '.join(chosen))}{others})"


def _offline_fallback(config: Config) -> str:
    """`; offline fallback after 10m for stays within 6h`, or "" when it is off."""
    from ttlock_bridge.config.durations import duration_text

    settings = config.property
    if not settings.offline_fallback:
        return ""
    return (
        f"; offline fallback after {duration_text(settings.offline_fallback_after)} "
        f"for stays within {duration_text(settings.offline_fallback_window)}"
    )


def load_config_or_problem(path: Path = DEFAULT_CONFIG_PATH) -> Config:
    """The configuration file at `path`; or, when the file the default or BRIDGE_CONFIG names
    is missing and the TTLock account is in the environment, what zero-config mode assumes
    (the same for `serve` and every other command, so a zero-config install has a console
    and a CLI too)."""
    from ttlock_bridge.config import ConfigError, load_config

    if zero_config_wanted(path):
        return _zero_config()
    try:
        return load_config(path)
    except ConfigError as error:
        lines = [str(problem) for problem in error.problems]
        missing = [name for name in CREDENTIAL_VARIABLES if not os.environ.get(name)]
        if not path.exists() and 0 < len(missing) < len(CREDENTIAL_VARIABLES):
            lines.append(f"zero-config mode needs {', '.join(missing)} too")
        lines.append(f"{path}: fix the problems above (ttlock-bridge check-config)")
        raise CommandProblem("\n".join(lines)) from None


def zero_config_wanted(path: Path) -> bool:
    """No file where the default or BRIDGE_CONFIG (the container image's) points, and the
    account in the environment. A missing file named with --config stays an error (a typo
    must not start a different bridge)."""
    implicit = path == DEFAULT_CONFIG_PATH or str(path) == os.environ.get("BRIDGE_CONFIG")
    account = all(os.environ.get(name) for name in CREDENTIAL_VARIABLES)
    return implicit and account and not path.exists()


def _zero_config() -> Config:
    """Zero-config mode's configuration, read from the account (a lock-list call), also from
    a command that already runs in an event loop (the read then runs in a thread of its own)."""
    from concurrent.futures import ThreadPoolExecutor

    from ttlock_bridge.cli.first_run import zero_config

    def read() -> Config:
        data_dir = Path(os.environ.get("BRIDGE_DATA_DIR") or "data")
        return zero_config(data_dir, credentials_from_environment(), api_base_for(None))

    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return read()
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(read).result()
