"""`ttlock-bridge serve` (the service) and `ttlock-bridge demo` (the service on the simulator).

TTLock credentials come from the environment (TTLOCK_CLIENT_ID, TTLOCK_CLIENT_SECRET,
TTLOCK_USERNAME, TTLOCK_PASSWORD; TTLOCK_API_BASE when the configuration names no region or
URL); the API token from BRIDGE_API_TOKEN, else it is generated once into the data directory.
"""

from __future__ import annotations

import os
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.markup import escape

from ttlock_bridge.cli.app import app
from ttlock_bridge.cli.context import (
    DEFAULT_CONFIG_PATH,
    CommandProblem,
    ConfigOption,
    api_base_for,
    credentials_from_environment,
    err,
    load_config_or_problem,
)

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
    """Run the bridge: REST API, TTLock callback, reconciler and nightly cleanup."""
    try:
        loaded = load_config_or_problem(config)
        credentials = credentials_from_environment()
        base = api_base_for(loaded)
    except CommandProblem as problem:
        err.print(f"[red]Error:[/red] {escape(str(problem))}")
        raise typer.Exit(2) from None
    _run(loaded, credentials, base, host or loaded.server.host, port or loaded.server.port)


@app.command()
def demo(
    host: Annotated[str, typer.Option(help="Address the bridge listens on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port the bridge listens on.")] = 8080,
    sim_port: Annotated[
        int, typer.Option(help="Port of the simulated TTLock cloud (0: any free port).")
    ] = 0,
    data_dir: Annotated[
        Path, typer.Option(help="Where the demo configuration, database and token live.")
    ] = Path("data"),
) -> None:
    """Try the bridge without a TTLock account: the simulated small hotel, wired to the bridge."""
    from ttlock_bridge.operations.api_token import api_token
    from ttlock_bridge.service.demo import (
        DEMO_OPERATOR,
        demo_credentials,
        demo_operator,
        demo_scenario,
        try_it,
        write_demo_config,
    )
    from ttlock_bridge.simulator import create_app as create_simulator
    from ttlock_bridge.simulator import serve_in_background

    local_host = "127.0.0.1" if host in ("0.0.0.0", "::") else host  # noqa: S104 - a comparison
    bridge_url = f"http://{local_host}:{port}"
    simulator = create_simulator(demo_scenario(f"{bridge_url}/ttlock/callback"))
    with serve_in_background(simulator, port=sim_port) as simulator_url:
        try:
            config = load_config_or_problem(
                write_demo_config(data_dir, simulator_url, host=host, port=port)
            )
        except CommandProblem as problem:
            err.print(f"[red]Error:[/red] {escape(str(problem))}")
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
        typer.echo("Try:")
        for command in try_it(bridge_url, token, today):
            typer.echo(f"  {command}")
        _run(config, demo_credentials(), simulator_url, host, port)


def _run(config: Config, credentials: Credentials, base: str, host: str, port: int) -> None:
    import uvicorn

    from ttlock_bridge.operations.api_token import api_token
    from ttlock_bridge.operations.logs import configure_logging
    from ttlock_bridge.service.runtime import Runtime

    token = api_token(config.data_dir)
    configure_logging(_secret_values(config, credentials, token))
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


def _secret_values(config: Config, credentials: Credentials, token: str) -> list[str]:
    """Every secret value the process holds, for the logs to redact wherever one appears: the
    API token, the client secret, the TTLock password (as typed and as its MD5), the callback
    secret. Error codes and ids are no secrets (TTLock's `errcode` stays readable)."""
    values = [
        token,
        credentials.client_secret,
        credentials.password_md5,
        os.environ.get("TTLOCK_PASSWORD", ""),
        config.server.callback_secret or "",
    ]
    return [value for value in values if value]
