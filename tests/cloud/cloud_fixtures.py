"""Helpers shared by the over-HTTP client tests: the demo account and a fast retry policy."""

from ttlock_bridge.cloud import Credentials, RetryPolicy, TokenStore, TTLockClient
from ttlock_bridge.cloud.gate import SharedTurns

DEMO = Credentials.with_password(
    "demo-client-id", "demo-client-secret", "demo@example.com", "demo-password"
)
MAIN_ENTRANCE = 1_000_001
ROOM_1 = 1_000_002

FAST_RETRIES = RetryPolicy(base_delay=0.01, max_delay=0.05, max_attempts=4, max_elapsed=5.0)
"""Same shape as the default policy, milliseconds instead of seconds so tests stay fast."""


def client_for(
    base_url: str,
    credentials: Credentials = DEMO,
    *,
    retry_policy: RetryPolicy = FAST_RETRIES,
    token_store: TokenStore | None = None,
    remote_concurrency: int = 8,
    lock_turns: SharedTurns | None = None,
) -> TTLockClient:
    return TTLockClient(
        credentials,
        api_base=base_url,
        retry_policy=retry_policy,
        token_store=token_store,
        remote_concurrency=remote_concurrency,
        lock_turns=lock_turns,
    )
