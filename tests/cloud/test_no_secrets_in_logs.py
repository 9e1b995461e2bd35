"""A whole session logged at DEBUG (httpx and httpcore included) shows no secret and no code."""

import logging
import time

import pytest

from cloud.cloud_fixtures import DEMO, ROOM_1, client_for
from conftest import RunningSimulator
from ttlock_bridge.cloud import LockError, PasscodeType, StoredRefusal, StoredToken, TTLockError


class RecordingTokenStore:
    """Keeps every token it is given, so the test knows all the tokens of the session."""

    def __init__(self) -> None:
        self.saved: list[StoredToken] = []

    async def load(self) -> StoredToken | None:
        return self.saved[-1] if self.saved else None

    async def save(self, token: StoredToken) -> None:
        self.saved.append(token)

    async def clear(self) -> None:
        self.saved.clear()

    async def load_refusal(self) -> StoredRefusal | None:
        return None

    async def refuse(self, refusal: StoredRefusal) -> None:
        self.saved.clear()


async def test_a_full_session_logs_no_secret_token_or_passcode(
    simulator: RunningSimulator, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    for noisy in ("httpx", "httpcore", "ttlock_bridge"):
        logging.getLogger(noisy).setLevel(logging.DEBUG)
    store = RecordingTokenStore()
    custom_code = "480213"
    errors: list[TTLockError] = []
    start = (int(time.time() * 1000) // 3_600_000 + 1) * 3_600_000

    async with client_for(simulator.base_url, token_store=store) as client:
        await client.log_in()
        _ = [lock async for lock in client.locks()]
        await client.unlock(ROOM_1)
        await client.add_passcode(ROOM_1, custom_code, name="guest")
        issued = await client.random_passcode(
            ROOM_1, PasscodeType.PERIOD, start_ms=start, end_ms=start + 3_600_000
        )
        _ = [passcode async for passcode in client.passcodes(ROOM_1)]
        simulator.control("tokens/expire")
        await client.lock_detail(ROOM_1)  # refresh
        simulator.control(f"locks/{ROOM_1}", {"remoteUnlock": False})
        with pytest.raises(LockError) as refused:
            await client.unlock(ROOM_1)
        errors.append(refused.value)

    secrets = {
        "client secret": DEMO.client_secret,
        "password": "demo-password",
        "password md5": DEMO.password_md5,
        "custom passcode": custom_code,
        "random passcode": issued.keyboard_pwd,
    }
    for number, token in enumerate(store.saved):
        secrets[f"access token {number}"] = token.access_token
        secrets[f"refresh token {number}"] = token.refresh_token
    assert len(store.saved) == 2  # the login and the refresh really happened

    logged = "\n".join(record.getMessage() for record in caplog.records)
    logged += "\n".join(str(error) for error in errors)
    assert "/v3/lock/unlock" in logged  # the log is useful...
    assert "-4043" in logged
    for name, secret in secrets.items():
        assert secret not in logged, f"the {name} appears in the log"  # ...and discreet
