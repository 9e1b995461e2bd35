"""Store tests run against SQLite and a private PostgreSQL server started for the session.

The PostgreSQL cluster lives in a temporary directory, listens on a free localhost port and is
stopped at the end. When running as root the server runs as the `postgres` user (PostgreSQL
refuses root). In CI (`CI=true`) a server that cannot start fails the run; elsewhere the
PostgreSQL half is skipped only when the server binaries are not installed.
"""

from __future__ import annotations

import glob
import itertools
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import psycopg
import pytest

from ttlock_bridge.store import Store, open_store

_DATABASE_NUMBERS = itertools.count(1)


def _server_binaries() -> Path | None:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), key=_major_version)
    if found:
        return Path(found[-1]).parent
    initdb = shutil.which("initdb")
    return Path(initdb).resolve().parent if initdb else None


def _major_version(path: str) -> int:
    version = Path(path).parts[-3]
    return int(version) if version.isdigit() else 0


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


class PostgresCluster:
    """A throw-away PostgreSQL server; `new_database()` hands out empty databases."""

    def __init__(self, binaries: Path, directory: Path) -> None:
        self.binaries = binaries
        self.directory = directory
        self.port = _free_port()
        self.as_postgres = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []

    def _run(self, *command: str) -> None:
        subprocess.run(  # noqa: S603 - the server binaries with arguments built here
            [*self.as_postgres, *command], check=True, capture_output=True, text=True, timeout=60
        )

    def start(self) -> None:
        if self.as_postgres:
            entry = pwd.getpwnam("postgres")
            os.chown(self.directory, entry.pw_uid, entry.pw_gid)
        data = str(self.directory / "data")
        self._run(
            str(self.binaries / "initdb"),
            "-D",
            data,
            "-U",
            "postgres",
            "--auth=trust",
            "--encoding=UTF8",
            "--no-sync",
        )
        self.resume()

    def resume(self) -> None:
        """Start the server on its data again (after `stop`), on the same port."""
        data = str(self.directory / "data")
        options = (
            f"-p {self.port} -c listen_addresses=127.0.0.1 -k {self.directory} "
            "-c fsync=off -c synchronous_commit=off -c full_page_writes=off"
        )
        self._run(
            str(self.binaries / "pg_ctl"),
            "-D",
            data,
            "-o",
            options,
            "-l",
            str(self.directory / "server.log"),
            "-w",
            "-t",
            "60",
            "start",
        )

    def stop(self) -> None:
        self._run(
            str(self.binaries / "pg_ctl"), "-D", str(self.directory / "data"), "-m", "fast", "stop"
        )

    def new_database(self) -> str:
        name = f"store_test_{next(_DATABASE_NUMBERS)}"
        admin = f"postgresql://postgres@127.0.0.1:{self.port}/postgres"
        with psycopg.connect(admin, autocommit=True) as connection:
            connection.execute(f'CREATE DATABASE "{name}"')
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/{name}"


@pytest.fixture(scope="session")
def postgres() -> Iterator[PostgresCluster]:
    with running_cluster() as cluster:
        yield cluster


@contextmanager
def running_cluster() -> Iterator[PostgresCluster]:
    """A PostgreSQL server of its own for the block (skips or fails as the module says)."""
    in_ci = os.environ.get("CI", "").lower() == "true"
    binaries = _server_binaries()
    if binaries is None:
        if in_ci:
            pytest.fail("PostgreSQL server binaries not found: `make test` installs them in CI")
        pytest.skip("PostgreSQL server binaries not installed (apt-get install postgresql)")
    directory = Path(tempfile.mkdtemp(prefix="ttlock-bridge-pg-"))
    cluster = PostgresCluster(binaries, directory)
    try:
        cluster.start()
    except (subprocess.SubprocessError, OSError) as error:
        log = directory / "server.log"
        details = log.read_text() if log.exists() else getattr(error, "stderr", "")
        shutil.rmtree(directory, ignore_errors=True)
        pytest.fail(f"could not start PostgreSQL: {error}\n{details}")
    try:
        yield cluster
    finally:
        cluster.stop()
        shutil.rmtree(directory, ignore_errors=True)


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """An empty database of each kind, fresh for every test."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'store.db'}"
    cluster: PostgresCluster = request.getfixturevalue("postgres")
    return cluster.new_database()


@pytest.fixture
def store(database_url: str) -> Iterator[Store]:
    """A migrated store on each kind of database."""
    opened = open_store(database_url)
    yield opened
    opened.close()
