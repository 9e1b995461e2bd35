"""A replica's name: which process this is among the `serve` processes sharing one database.

It names the placements a replica works on (`access.leases`), its PostgreSQL session (the
`application_name` that `/readyz` reads to say which replica holds which singleton) and its
lines in the log. The host name and the pid say where to look; four random hex digits keep two
containers that share a host name and both run as pid 1 apart.
"""

from __future__ import annotations

import os
import secrets
import socket

MAX_LENGTH = 64
"""The width of `placements.lease_owner`; PostgreSQL keeps 63 bytes of an application_name."""


def replica_name() -> str:
    """`<host>-<pid>-<4 hex>`, at most 63 characters (the host name shortened if need be)."""
    suffix = f"-{os.getpid()}-{secrets.token_hex(2)}"
    host = socket.gethostname() or "host"
    return host[: MAX_LENGTH - 1 - len(suffix)] + suffix
