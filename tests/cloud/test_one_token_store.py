"""One token store: `login` and `serve` share the database's token, an earlier version's token
file is moved in once, and a refused password stays refused across restarts."""

from __future__ import annotations

import asyncio
import json
import os
from pathlib import Path

import pytest
from typer.testing import CliRunner

from cloud.cloud_fixtures import MAIN_ENTRANCE
from conftest import RunningSimulator
from ttlock_bridge.cli import app
from ttlock_bridge.cloud import Credentials, ReauthenticationNeeded, TTLockClient
from ttlock_bridge.cloud.session import LOOK_FOR_A_NEW_LOGIN_S
from ttlock_bridge.config import load_config
from ttlock_bridge.service.demo import demo_credentials, write_demo_config
from ttlock_bridge.service.runtime import Runtime
from ttlock_bridge.store import open_store
from ttlock_bridge.store.token_store import DatabaseTokenStore

runner = CliRunner()


def cli_environment(simulator: RunningSimulator, **overrides: str) -> dict[str, str]:
    return {
        "TTLOCK_CLIENT_ID": "demo-client-id",
        "TTLOCK_CLIENT_SECRET": "demo-client-secret",
        "TTLOCK_USERNAME": "demo@example.com",
        "TTLOCK_PASSWORD": "demo-password",
        "TTLOCK_API_BASE": simulator.base_url,
    } | overrides


def with_password(password: str) -> Credentials:
    """The demo account with another password (a wrong one, or one changed since)."""
    return Credentials.with_password(
        "demo-client-id", "demo-client-secret", "demo@example.com", password
    )


def test_login_then_serve_logs_in_once(simulator: RunningSimulator, tmp_path: Path) -> None:
    config_path = write_demo_config(tmp_path, simulator.base_url, host="127.0.0.1", port=1)
    login = runner.invoke(
        app, ["login", "--config", str(config_path)], env=cli_environment(simulator)
    )
    assert login.exit_code == 0, login.output

    async def serve_once() -> None:
        runtime = Runtime.build(
            load_config(config_path),
            demo_credentials(),
            api_base=simulator.base_url,
            api_token="t" * 32,
        )
        try:
            assert [lock async for lock in runtime.cloud.locks()]
        finally:
            await runtime.cloud.aclose()
            runtime.store.close()

    asyncio.run(serve_once())

    assert simulator.state()["token_grants"].get("password") == 1


async def test_a_token_file_from_an_earlier_version_is_moved_into_the_database_once(
    simulator: RunningSimulator, tmp_path: Path
) -> None:
    async with TTLockClient(demo_credentials(), api_base=simulator.base_url) as client:
        token = await client.log_in()
    (tmp_path / "ttlock-token.json").write_text(json.dumps(token.model_dump()))
    store = open_store(f"sqlite:///{tmp_path / 'bridge.db'}")
    try:
        for _ in range(2):
            tokens = DatabaseTokenStore(
                store, simulator.base_url, "demo@example.com", legacy_dir=tmp_path
            )
            async with TTLockClient(
                demo_credentials(), api_base=simulator.base_url, token_store=tokens
            ) as client:
                assert [lock async for lock in client.locks()]
    finally:
        store.close()

    assert simulator.state()["token_grants"].get("password") == 1  # the file's token was used
    assert not [name for name in os.listdir(tmp_path) if name.startswith("ttlock-token")]


async def test_a_refused_password_stays_refused_after_a_restart_until_it_changes(
    simulator: RunningSimulator, tmp_path: Path
) -> None:
    wrong = with_password("not-the-password")
    store = open_store(f"sqlite:///{tmp_path / 'bridge.db'}")

    async def list_locks(credentials: Credentials) -> None:
        tokens = DatabaseTokenStore(store, simulator.base_url, "demo@example.com")
        async with TTLockClient(
            credentials, api_base=simulator.base_url, token_store=tokens
        ) as client:
            assert [lock async for lock in client.locks()]

    try:
        for _ in range(3):  # the first run, then two restarts with the same wrong password
            with pytest.raises(ReauthenticationNeeded):
                await list_locks(wrong)
        refused_attempts = sum(simulator.state()["token_grants"].values())

        await list_locks(demo_credentials())  # a person fixed the password
    finally:
        store.close()

    assert refused_attempts == 1  # the restarts did not try the refused password again
    assert simulator.state()["token_grants"].get("password") == 2


async def test_a_running_service_takes_up_a_login_done_beside_it_while_refused(
    simulator: RunningSimulator, tmp_path: Path
) -> None:
    wrong = with_password("not-the-password")
    store = open_store(f"sqlite:///{tmp_path / 'bridge.db'}")
    tokens = DatabaseTokenStore(store, simulator.base_url, "demo@example.com")
    try:
        async with TTLockClient(wrong, api_base=simulator.base_url, token_store=tokens) as serve:
            with pytest.raises(ReauthenticationNeeded):
                await serve.lock_detail(MAIN_ENTRANCE)
            with pytest.raises(ReauthenticationNeeded):  # fails fast, TTLock is not asked
                await serve.lock_detail(MAIN_ENTRANCE)
            assert sum(simulator.state()["token_grants"].values()) == 1

            async with TTLockClient(  # `ttlock-bridge login` with the right password
                demo_credentials(), api_base=simulator.base_url, token_store=tokens
            ) as login:
                await login.log_in()

            deadline = asyncio.get_running_loop().time() + 2 * LOOK_FOR_A_NEW_LOGIN_S
            while True:
                try:
                    detail = await serve.lock_detail(MAIN_ENTRANCE)
                    break
                except ReauthenticationNeeded:
                    assert asyncio.get_running_loop().time() < deadline
                    await asyncio.sleep(0.5)
            assert detail.lock_id == MAIN_ENTRANCE
            assert serve.reauthentication_reason is None
    finally:
        store.close()

    assert simulator.state()["token_grants"]["password"] == 2  # the refused one, the login


async def test_a_token_renewed_by_another_process_is_taken_up_instead_of_the_password(
    simulator: RunningSimulator, tmp_path: Path
) -> None:
    stale = with_password("the-old-password")
    store = open_store(f"sqlite:///{tmp_path / 'bridge.db'}")
    tokens = DatabaseTokenStore(store, simulator.base_url, "demo@example.com")
    try:
        async with TTLockClient(
            demo_credentials(), api_base=simulator.base_url, token_store=tokens
        ) as (login):
            await login.log_in()
        async with TTLockClient(stale, api_base=simulator.base_url, token_store=tokens) as serve:
            await serve.lock_detail(MAIN_ENTRANCE)  # on the stored token
            simulator.control("tokens/expire")
            async with TTLockClient(  # a CLI command renews the pair and stores it
                demo_credentials(), api_base=simulator.base_url, token_store=tokens
            ) as command:
                await command.lock_detail(MAIN_ENTRANCE)

            detail = await serve.lock_detail(MAIN_ENTRANCE)  # its token was rotated away
    finally:
        store.close()

    assert detail.lock_id == MAIN_ENTRANCE
    assert simulator.state()["token_grants"]["password"] == 1  # the stale one never tried
