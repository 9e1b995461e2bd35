"""One `serve` per SQLite database: replicas need PostgreSQL.

What keeps several `serve` processes from doing the same work twice (placement leases, one
gateway command per lock, the singletons) is built for PostgreSQL; an SQLite file is one
machine's and one service's. `serve_lock` holds an exclusive `flock` on `<database>.serve-lock`
beside the file for as long as the service runs: the kernel releases it when the process ends,
however it ends (SIGKILL, a power cut), so no stale lock is ever left to clear by hand. Other
commands (`grants list`, `cleanup`, `login`) take no such lock and run beside the service.
"""

from __future__ import annotations

import fcntl
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy.engine import make_url


class AnotherServe(Exception):
    """A `serve` already runs on this SQLite database; the text says what to do instead."""


@contextmanager
def serve_lock(url: str) -> Iterator[None]:
    """Hold the database's serve lock for the block, or raise `AnotherServe` at once.

    PostgreSQL takes any number of replicas and an in-memory SQLite database is private to its
    process: neither needs the lock. The lock file keeps the holder's pid, for the message.
    """
    parsed = make_url(url)
    database = parsed.database
    if parsed.get_backend_name() != "sqlite" or not database or database == ":memory:":
        yield
        return
    path = Path(f"{database}.serve-lock")
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("a+") as lock_file:
        try:
            fcntl.flock(lock_file, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            lock_file.seek(0)
            holder = lock_file.read().strip() or "?"
            raise AnotherServe(
                f"another ttlock-bridge serve (pid {holder}) already runs on the SQLite database "
                f"{database}: an SQLite database takes one serve process. To run several "
                'replicas, put the database on PostgreSQL ([store] url = "postgresql+psycopg://'
                'user@host/dbname", docs/operations.md "Running replicas"); to run a second '
                "property, give it its own data_dir"
            ) from None
        lock_file.truncate(0)
        lock_file.write(f"{os.getpid()}\n")
        lock_file.flush()
        try:
            yield
        finally:
            lock_file.truncate(0)
            fcntl.flock(lock_file, fcntl.LOCK_UN)
