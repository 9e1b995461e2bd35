"""`ttlock-bridge check-config`: validate the configuration file and say exactly what is wrong."""

from __future__ import annotations

import os
from typing import TYPE_CHECKING

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from ttlock_bridge.cli.app import app
from ttlock_bridge.cli.context import DEFAULT_CONFIG_PATH, ConfigOption
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
        f"{len(config.doors)} door(s), {len(config.rooms)} room(s)"
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
