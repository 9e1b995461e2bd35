"""What `make image-test` asks of a running container, over its published port (stdlib only).

api_check.py health URL [SECONDS]      wait until URL/healthz answers 200 (retries)
api_check.py grant URL TOKEN           issue a stay on room-1, wait until every door is
                                       active; print the grant's id
api_check.py show URL TOKEN ID         the grant is there and every door still active
"""

from __future__ import annotations

import json
import sys
import time
import urllib.error
import urllib.request
from datetime import date, timedelta
from typing import Any

# Straight to the container's loopback port, whatever proxy the environment names.
_OPENER = urllib.request.build_opener(urllib.request.ProxyHandler({}))


def _call(url: str, token: str | None = None, body: dict[str, Any] | None = None) -> Any:
    headers = {"Content-Type": "application/json"} if body is not None else {}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(url, data=data, headers=headers)  # noqa: S310 - http only
    with _OPENER.open(request, timeout=10) as answer:
        return json.loads(answer.read() or b"null")


def health(base: str, seconds: float = 90) -> None:
    """Retry: the port answers only once slirp4netns and the service have started."""
    deadline = time.monotonic() + seconds
    while True:
        try:
            if _call(f"{base}/healthz").get("status") == "ok":
                return
        except (OSError, ValueError):
            pass
        if time.monotonic() > deadline:
            sys.exit(f"{base}/healthz did not answer within {seconds:.0f} s")
        time.sleep(0.5)


def _doors(grant: dict[str, Any]) -> dict[str, str]:
    return {door["door"]: door["status"] for door in grant["doors"]}


def grant(base: str, token: str) -> None:
    today = date.today()
    stay = {
        "room": "room-1",
        "start": today.isoformat(),
        "end": (today + timedelta(days=2)).isoformat(),
        "name": "Image test",
    }
    created = _call(f"{base}/api/v1/grants", token, stay)
    deadline = time.monotonic() + 60
    current = created
    while set(_doors(current).values()) != {"active"}:
        if time.monotonic() > deadline:
            sys.exit(f"grant {created['id']} not active on every door: {_doors(current)}")
        time.sleep(0.5)
        current = _call(f"{base}/api/v1/grants/{created['id']}", token)
    print(created["id"])
    print(f"grant {created['id']} active on {', '.join(sorted(_doors(current)))}", file=sys.stderr)


def show(base: str, token: str, grant_id: str) -> None:
    doors = _doors(_call(f"{base}/api/v1/grants/{grant_id}", token))
    if set(doors.values()) != {"active"}:
        sys.exit(f"grant {grant_id} after the restart: {doors}")
    print(f"grant {grant_id} still active on {', '.join(sorted(doors))}", file=sys.stderr)


def main(argv: list[str]) -> None:
    try:
        match argv:
            case ["health", base]:
                health(base)
            case ["health", base, seconds]:
                health(base, float(seconds))
            case ["grant", base, token]:
                grant(base, token)
            case ["show", base, token, grant_id]:
                show(base, token, grant_id)
            case _:
                sys.exit(__doc__)
    except urllib.error.HTTPError as error:
        sys.exit(f"{error.url}: {error.code} {error.read().decode(errors='replace')[:500]}")


if __name__ == "__main__":
    main(sys.argv[1:])
