"""What a request passes before the API reads it: the token first, then the body size cap."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from urllib.parse import urlsplit

from service.bridge import API_TOKEN, RunningBridge
from service.test_grants import stay
from ttlock_bridge.channels.rest.guard import MAX_BODY_BYTES


def raw_request(bridge: RunningBridge, head: str) -> str:
    """Send only a request head (no body follows) and read what the bridge answers."""
    address = urlsplit(bridge.url)
    with socket.create_connection((address.hostname, address.port), timeout=5) as connection:
        connection.sendall(head.replace("\n", "\r\n").encode() + b"\r\n")
        return connection.recv(65536).decode(errors="replace")


def test_an_anonymous_huge_body_is_refused_before_it_is_read(bridge: RunningBridge) -> None:
    answer = raw_request(
        bridge,
        "POST /api/v1/grants HTTP/1.1\nHost: bridge\nContent-Type: application/json\n"
        "Content-Length: 100000000\n",
    )

    assert answer.startswith("HTTP/1.1 401")
    assert '"error":"unauthorized"' in answer


def test_a_declared_huge_body_with_the_token_is_413_before_it_is_read(
    bridge: RunningBridge,
) -> None:
    answer = raw_request(
        bridge,
        f"POST /api/v1/grants HTTP/1.1\nHost: bridge\nAuthorization: Bearer {API_TOKEN}\n"
        "Content-Type: application/json\nContent-Length: 100000000\n",
    )

    assert answer.startswith("HTTP/1.1 413")
    assert '"error":"body_too_large"' in answer


def test_a_streamed_body_past_the_cap_is_413(bridge: RunningBridge) -> None:
    def chunks() -> Iterator[bytes]:
        yield b'{"name": "'
        for _ in range(MAX_BODY_BYTES // 1024 + 1):
            yield b"x" * 1024
        yield b'"}'

    response = bridge.api.post(
        "/api/v1/grants", content=chunks(), headers={"Content-Type": "application/json"}
    )

    assert response.status_code == 413
    assert response.json()["error"] == "body_too_large"
    assert str(MAX_BODY_BYTES) in response.json()["detail"]


def test_the_public_callback_is_capped_too(bridge: RunningBridge) -> None:
    response = bridge.anonymous.post(
        "/ttlock/callback", data={"records": "x" * (MAX_BODY_BYTES + 1)}
    )

    assert response.status_code == 413


def test_a_body_within_the_cap_is_read_as_before(bridge: RunningBridge) -> None:
    response = bridge.api.post("/api/v1/grants", json=stay(name="S" * 100))

    assert response.status_code == 201


def test_anonymous_callers_are_not_told_the_query_parameters(bridge: RunningBridge) -> None:
    anonymous = bridge.anonymous.get("/api/v1/grants", params={"include_inactve": "true"})
    known = bridge.api.get("/api/v1/grants", params={"include_inactve": "true"})

    assert anonymous.status_code == 401
    assert "include_inactive" not in anonymous.text
    assert known.status_code == 422
    assert "include_inactive" in known.json()["hint"]
