"""The root Typer application; command modules attach their commands to it."""

import typer

from ttlock_bridge import __version__


def _print_version(value: bool) -> None:
    if value:
        typer.echo(f"ttlock-bridge {__version__}")
        raise typer.Exit


app = typer.Typer(
    name="ttlock-bridge",
    help="Put TTLock smart locks under the control of building automation.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


@app.callback()
def main(
    version: bool = typer.Option(
        False, "--version", callback=_print_version, is_eager=True, help="Show the version."
    ),
) -> None:
    """Put TTLock smart locks under the control of building automation."""
