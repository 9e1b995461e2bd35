"""Running the simulator with uvicorn: in the foreground (CLI) or in a background thread
(tests, benchmarks, demo mode). uvicorn's own Date header is off: the app sets the simulated one.
"""

import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

import uvicorn
from starlette.types import ASGIApp

STARTUP_TIMEOUT_S = 10.0


def uvicorn_config(app: ASGIApp, host: str, port: int, *, log_level: str) -> uvicorn.Config:
    return uvicorn.Config(
        app,
        host=host,
        port=port,
        date_header=False,
        server_header=False,
        log_level=log_level,
        access_log=False,
        lifespan="on",
    )


@contextmanager
def serve_in_background(app: ASGIApp, host: str = "127.0.0.1", port: int = 0) -> Iterator[str]:
    """Serve `app` in a daemon thread; yields its base URL once it accepts connections."""
    with socket.socket() as listener:
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind((host, port))
        bound_port = listener.getsockname()[1]
    server = uvicorn.Server(uvicorn_config(app, host, bound_port, log_level="warning"))
    thread = threading.Thread(target=server.run, name=f"simulator:{bound_port}", daemon=True)
    thread.start()
    deadline = time.monotonic() + STARTUP_TIMEOUT_S
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            raise RuntimeError(f"simulator did not start on {host}:{bound_port}")
        time.sleep(0.005)
    try:
        yield f"http://{host}:{bound_port}"
    finally:
        server.should_exit = True
        thread.join(timeout=STARTUP_TIMEOUT_S)
