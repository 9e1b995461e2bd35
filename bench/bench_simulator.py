"""Throughput of the simulator's lock/detail (no injected latency): target >= 1,000 req/s.

The simulator runs under uvicorn (serve_in_background) in a child process, so it has a core of
its own as when it serves other benchmarks. Load comes from this process in two ways:
- a lean asyncio HTTP/1.1 keep-alive client: measures the simulator itself (the headline);
- httpx.AsyncClient: what the project's own code sees; httpx's per-request CPU cost, not the
  simulator, limits this figure on a 2-core machine.
"""

import asyncio
import hashlib
import json
import multiprocessing
import time
from multiprocessing.connection import Connection
from urllib.parse import urlencode, urlsplit

import httpx

from ttlock_bridge.simulator import create_app, serve_in_background

TOTAL_CALLS = 5_000
CONNECTIONS = 50
HTTPX_CALLS = 1_000
HTTPX_CONCURRENCY = 200
LOCK_ID = 1_000_001


def _serve(ready: Connection) -> None:
    with serve_in_background(create_app()) as base_url:
        ready.send(base_url)
        ready.recv()  # block until the benchmark is done


def _access_token(base_url: str) -> str:
    form = {
        "clientId": "demo-client-id",
        "clientSecret": "demo-client-secret",
        "username": "demo@example.com",
        "password": hashlib.md5(b"demo-password").hexdigest(),  # noqa: S324 - protocol hash
    }
    token: str = httpx.post(f"{base_url}/oauth2/token", data=form).json()["access_token"]
    return token


def _detail_query(token: str) -> str:
    params = {
        "clientId": "demo-client-id",
        "accessToken": token,
        "lockId": LOCK_ID,
        "date": int(time.time() * 1000),
    }
    return f"/v3/lock/detail?{urlencode(params)}"


async def _lean_client(base_url: str, token: str) -> tuple[int, float]:
    """Keep-alive connections, each sending its next request as soon as the last answer came."""
    address = urlsplit(base_url)
    calls = iter(range(TOTAL_CALLS))
    ok = 0

    async def connection() -> None:
        nonlocal ok
        reader, writer = await asyncio.open_connection(address.hostname, address.port)
        for _ in calls:
            request = f"GET {_detail_query(token)} HTTP/1.1\r\nHost: sim\r\n\r\n"
            writer.write(request.encode())
            head = await reader.readuntil(b"\r\n\r\n")
            length = next(
                int(line.split(b":")[1])
                for line in head.split(b"\r\n")
                if line.lower().startswith(b"content-length:")
            )
            ok += json.loads(await reader.readexactly(length)).get("lockId") == LOCK_ID
        writer.close()
        await writer.wait_closed()

    started = time.perf_counter()
    await asyncio.gather(*(connection() for _ in range(CONNECTIONS)))
    return ok, time.perf_counter() - started


async def _httpx_client(base_url: str, token: str) -> tuple[int, float]:
    limits = httpx.Limits(max_connections=HTTPX_CONCURRENCY)
    async with httpx.AsyncClient(base_url=base_url, limits=limits, timeout=60) as client:
        calls = iter(range(HTTPX_CALLS))
        ok = 0

        async def worker() -> None:
            nonlocal ok
            for _ in calls:
                response = await client.get(_detail_query(token))
                ok += response.json().get("lockId") == LOCK_ID

        started = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(HTTPX_CONCURRENCY)))
        return ok, time.perf_counter() - started


def main() -> None:
    parent_end, child_end = multiprocessing.Pipe()
    server = multiprocessing.Process(target=_serve, args=(child_end,), daemon=True)
    server.start()
    try:
        base_url = parent_end.recv()
        token = _access_token(base_url)
        lean_ok, lean_s = asyncio.run(_lean_client(base_url, token))
        httpx_ok, httpx_s = asyncio.run(_httpx_client(base_url, token))
    finally:
        parent_end.send("stop")
        server.join(timeout=10)
    print(
        f"simulator lock/detail: {TOTAL_CALLS} calls on {CONNECTIONS} keep-alive connections, "
        f"{lean_ok} ok, {TOTAL_CALLS / lean_s:,.0f} req/s (target >= 1,000)"
    )
    print(
        f"simulator lock/detail via httpx.AsyncClient: {HTTPX_CALLS} calls, "
        f"{HTTPX_CONCURRENCY} concurrent, {httpx_ok} ok, {HTTPX_CALLS / httpx_s:,.0f} req/s "
        "(client-bound)"
    )


if __name__ == "__main__":
    main()
