"""`ttlock-bridge serve` (the service) and `ttlock-bridge demo` (the service on the simulator).

TTLock credentials come from the environment (TTLOCK_CLIENT_ID, TTLOCK_CLIENT_SECRET,
TTLOCK_USERNAME, TTLOCK_PASSWORD; TTLOCK_API_BASE when the configuration names no region or
URL); the API token from BRIDGE_API_TOKEN, else it is generated once into the data directory.
uvicorn believes `X-Forwarded-For` and `X-Forwarded-Proto` only from the addresses in
FORWARDED_ALLOW_IPS (default 127.0.0.1 and ::1): a reverse proxy on another host is named there.
One `serve` runs on an SQLite database (`store.serve_lock`); replicas share a PostgreSQL one.
"""

from __future__ import annotations

import os
import signal
from contextlib import ExitStack
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Annotated
from zoneinfo import ZoneInfo

import typer
from rich.markup import escape

from ttlock_bridge.cli.app import app
from ttlock_bridge.cli.config import load_config_or_problem
from ttlock_bridge.cli.context import (
    DEFAULT_CONFIG_PATH,
    CommandProblem,
    ConfigOption,
    api_base_for,
    credentials_from_environment,
    err,
    writable_folder,
)
from ttlock_bridge.config import DATABASE_FILE_NAME
from ttlock_bridge.config.mqtt import PASSWORD_VARIABLE

if TYPE_CHECKING:
    from ttlock_bridge.cloud import Credentials
    from ttlock_bridge.config import Config

Host = Annotated[str | None, typer.Option(help="Address to listen on (default: \\[server] host).")]
Port = Annotated[int | None, typer.Option(help="Port to listen on (default: \\[server] port).")]


@app.command()
def serve(
    config: ConfigOption = DEFAULT_CONFIG_PATH,
    host: Host = None,
    port: Port = None,
) -> None:
    """Run the bridge: REST API, TTLock callback, front-desk console, the KNX and MQTT channels
    when configured, reconciler and nightly cleanup. Without a configuration file but with the
    TTLOCK_* variables, it runs on every lock of the account (zero-config mode: see `init`).
    Behind a reverse proxy on another host, set FORWARDED_ALLOW_IPS to its address (client
    addresses and HTTPS are believed only from there)."""
    try:
        loaded = load_config_or_problem(config)  # zero-config mode when there is no file
        credentials = credentials_from_environment()
        base = api_base_for(loaded)
        writable_folder(
            loaded.data_dir,
            what="data directory",
            advice=f"set data_dir in {loaded.source} to a folder this user can write (in the "
            'container image: data_dir = "/data", the volume)',
        )
    except CommandProblem as problem:
        err.print(f"[red]Error:[/red] {escape(str(problem))}")
        raise typer.Exit(2) from None
    _run(loaded, credentials, base, host or loaded.server.host, port or loaded.server.port)


@app.command()
def demo(
    host: Annotated[str, typer.Option(help="Address the bridge listens on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port the bridge listens on.")] = 8080,
    *,
    sim_port: Annotated[
        int, typer.Option(help="Port of the simulated TTLock cloud (0: any free port).")
    ] = 0,
    data_dir: Annotated[
        Path,
        typer.Option(
            help="Where the demo configuration, database and token live (the database starts "
            "empty each run, like the simulated locks)."
        ),
    ] = Path("data"),
    mqtt: Annotated[
        bool,
        typer.Option(
            "--mqtt", help="Publish to MQTT: a private mosquitto (when installed) on 127.0.0.1."
        ),
    ] = False,
    mqtt_broker: Annotated[
        str | None,
        typer.Option(help="Publish to this MQTT broker instead (HOST:PORT, anonymous)."),
    ] = None,
) -> None:
    """Try the bridge without a TTLock account: the simulated small hotel, wired to the bridge."""
    from ttlock_bridge.operations.api_token import api_token
    from ttlock_bridge.service.demo import (
        DEMO_OPERATOR,
        DEMO_TIMEZONE,
        SAMPLE_FEED_PATH,
        NoBroker,
        NotADemoFolder,
        demo_credentials,
        demo_operator,
        demo_scenario,
        private_mosquitto,
        sample_feed_app,
        start_afresh,
        try_it,
        write_demo_config,
    )
    from ttlock_bridge.simulator import create_app as create_simulator
    from ttlock_bridge.simulator import serve_in_background

    local_host = "127.0.0.1" if host in ("0.0.0.0", "::") else host  # noqa: S104 - a comparison
    bridge_url = f"http://{local_host}:{port}"
    simulator = create_simulator(demo_scenario(f"{bridge_url}/ttlock/callback"))
    with ExitStack() as stack:
        simulator_url = stack.enter_context(serve_in_background(simulator, port=sim_port))
        opening_day = datetime.now(ZoneInfo(DEMO_TIMEZONE)).date()
        feed_url = (
            stack.enter_context(serve_in_background(sample_feed_app(opening_day)))
            + SAMPLE_FEED_PATH
        )
        broker = None
        try:
            hold_serve_lock(stack, f"sqlite:///{data_dir / DATABASE_FILE_NAME}")  # before the
            start_afresh(data_dir)  # database goes: never under a demo that runs there
            if mqtt_broker is not None:
                broker = _host_and_port(mqtt_broker)
            elif mqtt:
                broker = ("127.0.0.1", stack.enter_context(private_mosquitto(data_dir / "mqtt")))
            config = load_config_or_problem(
                write_demo_config(
                    data_dir,
                    simulator_url,
                    host=host,
                    port=port,
                    mqtt_broker=broker,
                    booking_feed=feed_url,
                )
            )
        except (CommandProblem, NoBroker, NotADemoFolder) as problem:
            err.print(f"[red]Error:[/red] {escape(str(problem))}")
            if isinstance(problem, NoBroker):
                err.print("Or give an MQTT broker of your own: --mqtt-broker HOST:PORT")
            raise typer.Exit(2) from None
        token = api_token(config.data_dir)
        today = datetime.now(config.property.zone).date()
        password = demo_operator(config)
        typer.echo(
            f"Front desk:             {bridge_url}/  (sign in as {DEMO_OPERATOR} / {password})"
        )
        typer.echo(f"Simulated TTLock cloud: {simulator_url}  (state: {simulator_url}/_sim/state)")
        typer.echo(f"Bridge API:             {bridge_url}/api/v1  (docs: {bridge_url}/docs)")
        typer.echo(f"Configuration:          {config.source}")
        typer.echo(f"API token:              {token}")
        typer.echo(
            f"Booking calendar:       {feed_url}  (room-1's bookings, like an Airbnb export: "
            f"today's guest gets a code within seconds; GET {bridge_url}/api/v1/bookings)"
        )
        if broker is not None:
            typer.echo(
                f"MQTT broker:            {broker[0]}:{broker[1]}  (watch it: mosquitto_sub "
                f"-h {broker[0]} -p {broker[1]} -t 'ttlock-bridge/#' -t 'homeassistant/#' -v; "
                "mosquitto_sub is in the mosquitto-clients package)"
            )
        typer.echo("Try:")
        for command in try_it(bridge_url, token, today):
            typer.echo(f"  {command}")
        # uvicorn re-raises the stop signal once it has shut down: end through the clean-up
        # (the private broker must not outlive the demo)
        signal.signal(signal.SIGTERM, _exit_cleanly)
        _run(config, demo_credentials(), simulator_url, host, port, locked=True)


def _exit_cleanly(_signal: int, _frame: object) -> None:
    raise SystemExit(0)


def _host_and_port(text: str) -> tuple[str, int]:
    host, _, port = text.rpartition(":")
    if not host or not port.isdigit() or not 0 < int(port) < 65536:
        raise CommandProblem(f"--mqtt-broker wants HOST:PORT, e.g. 127.0.0.1:1883, not {text!r}")
    return host, int(port)


def hold_serve_lock(stack: ExitStack, store_url: str) -> None:
    """Hold the database's serve lock until `stack` closes (`store.serve_lock`); exit 2 with
    its message when another serve (or demo) holds it."""
    from ttlock_bridge.store.serve_lock import AnotherServe, serve_lock

    try:
        stack.enter_context(serve_lock(store_url))
    except AnotherServe as problem:
        err.print(f"[red]Error:[/red] {escape(str(problem))}")
        raise typer.Exit(2) from None


def _run(
    config: Config,
    credentials: Credentials,
    base: str,
    host: str,
    port: int,
    *,
    locked: bool = False,
) -> None:
    """Serve until stopped; `locked`: the caller holds the serve lock already (the demo)."""
    import uvicorn

    from ttlock_bridge.operations.api_token import api_token
    from ttlock_bridge.operations.logs import configure_logging
    from ttlock_bridge.service.runtime import Runtime

    token = api_token(config.data_dir)
    configure_logging(secret_values(config, credentials, token))
    with ExitStack() as stack:
        if not locked:
            hold_serve_lock(stack, config.store_url)  # held until the process ends
        runtime = Runtime.build(config, credentials, api_base=base, api_token=token)
        server_config = uvicorn.Config(
            runtime.http_app(),
            host=host,
            port=port,
            log_config=None,
            server_header=False,
            lifespan="on",
        )
        uvicorn.Server(server_config).run()


def secret_values(config: Config, credentials: Credentials, token: str) -> list[str]:
    """Every secret value the process holds, for the logs to redact wherever one appears: the
    API token, the client secret, the TTLock password (as typed and as its MD5), the callback
    secret, the MQTT broker password (`MQTT_PASSWORD`), the booking feeds' links. Error codes
    and ids are no secrets (TTLock's `errcode` stays readable)."""
    from ttlock_bridge.config.bookings import feed_secrets

    values = [
        token,
        credentials.client_secret,
        credentials.password_md5,
        os.environ.get("TTLOCK_PASSWORD", ""),
        config.server.callback_secret or "",
        os.environ.get(PASSWORD_VARIABLE, ""),
        *(
            secret
            for settings in config.bookings.values()
            for url in settings.feeds
            for secret in feed_secrets(url)
        ),
    ]
    return [value for value in values if value]
