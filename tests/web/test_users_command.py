"""`ttlock-bridge users`: what the command says after adding an account."""

from __future__ import annotations

import socket
from pathlib import Path

from typer.testing import CliRunner

from ttlock_bridge.cli import app
from ttlock_bridge.service.demo import write_demo_config

PASSWORD = "a long enough password\n"


def users(config: Path, *arguments: str) -> tuple[int, str]:
    result = CliRunner().invoke(
        app, ["users", *arguments, "--password-stdin", "--config", str(config)], input=PASSWORD
    )
    return result.exit_code, " ".join(result.output.split())


def test_users_add_says_where_the_operator_signs_in(tmp_path: Path) -> None:
    config = write_demo_config(tmp_path, "http://127.0.0.1:9", host="127.0.0.1", port=8081)

    code, said = users(config, "add", "Anna")

    assert code == 0
    assert said == (
        "Operator anna (desk) added; they sign in at the bridge's address, "
        "e.g. http://127.0.0.1:8081/"
    )
    code, said = users(config, "add", "ANNA")
    assert code == 2
    assert "an operator named 'anna' exists already" in said


def test_a_bridge_on_every_address_is_named_by_this_machines_name(tmp_path: Path) -> None:
    config = write_demo_config(tmp_path, "http://127.0.0.1:9", host="0.0.0.0", port=8080)  # noqa: S104

    assert users(config, "add", "ola")[1].endswith(f"http://{socket.gethostname()}:8080/")
