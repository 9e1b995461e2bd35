"""`ttlock-bridge simulator`: run the simulated TTLock cloud in the foreground."""

from pathlib import Path
from typing import Annotated

import typer

from ttlock_bridge.cli.app import app


@app.command()
def simulator(
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 8900,
    scenario: Annotated[
        Path | None,
        typer.Option(help="Scenario file (.toml or .json); default: the built-in small hotel."),
    ] = None,
    latency_ms: Annotated[
        int | None,
        typer.Option(help="Simulated gateway latency of remote commands, overriding the scenario."),
    ] = None,
) -> None:
    """Run a simulated TTLock cloud (Open API v3 plus a /_sim/ control API)."""
    import uvicorn

    from ttlock_bridge.simulator import ScenarioError, create_app, load_scenario
    from ttlock_bridge.simulator.scenario import (
        DEMO_CLIENT_ID,
        DEMO_CLIENT_SECRET,
        DEMO_PASSWORD,
        DEMO_USERNAME,
    )
    from ttlock_bridge.simulator.server import uvicorn_config

    try:
        loaded = None if scenario is None else load_scenario(scenario)
    except ScenarioError as error:
        typer.echo(f"error: {error}", err=True)
        raise typer.Exit(2) from error
    typer.echo(f"TTLock simulator listening on http://{host}:{port}")
    if loaded is None:
        typer.echo("Built-in small hotel; demo credentials (public, fixed):")
        typer.echo(f"  clientId {DEMO_CLIENT_ID}   clientSecret {DEMO_CLIENT_SECRET}")
        typer.echo(f"  username {DEMO_USERNAME}   password {DEMO_PASSWORD} (send its MD5)")
    else:
        typer.echo(f"Scenario {scenario}: {len(loaded.locks)} locks, {len(loaded.users)} users")
    typer.echo(f"State and controls: http://{host}:{port}/_sim/state")
    simulated_cloud = create_app(loaded, latency_ms=latency_ms)
    uvicorn.Server(uvicorn_config(simulated_cloud, host, port, log_level="info")).run()
