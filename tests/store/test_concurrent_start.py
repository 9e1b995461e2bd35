"""Several `serve` processes started at the same moment on one empty database: every one of them
finds the schema migrated, none dies in the migration (the issue's input: a UniqueViolation on
`alembic_version` when two processes ran the first migration at once on PostgreSQL)."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

from sqlalchemy import create_engine, text

from ttlock_bridge import store as store_package

PROCESSES = 4
START_TOGETHER = """
import sys, time
from ttlock_bridge.store import open_store
go = float(sys.argv[2])
time.sleep(max(0.0, go - time.time()))
open_store(sys.argv[1]).close()
print("migrated")
"""


def start_together(url: str) -> list[subprocess.CompletedProcess[str]]:
    """`PROCESSES` Python processes opening the store at one agreed instant (all imports done
    by then, so they really reach the migration together)."""
    source = str(Path(store_package.__file__).resolve().parents[2])
    environment = {**os.environ, "PYTHONPATH": source}
    go = time.time() + 3.0
    running = [
        subprocess.Popen(  # noqa: S603 - our own interpreter and script
            [sys.executable, "-c", START_TOGETHER, url, str(go)],
            env=environment,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(PROCESSES)
    ]
    results = []
    for process in running:
        stdout, stderr = process.communicate(timeout=120)
        results.append(
            subprocess.CompletedProcess(process.args, process.returncode, stdout, stderr)
        )
    return results


def test_processes_starting_together_on_an_empty_database_all_migrate_it(
    database_url: str,
) -> None:
    results = start_together(database_url)

    for result in results:
        assert result.returncode == 0, result.stderr[-2000:]
        assert result.stdout.strip() == "migrated"
    engine = create_engine(database_url)
    try:
        with engine.connect() as connection:
            versions = connection.execute(text("SELECT version_num FROM alembic_version")).all()
    finally:
        engine.dispose()
    assert len(versions) == 1
