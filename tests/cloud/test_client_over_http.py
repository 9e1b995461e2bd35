"""The client against the simulated cloud over real HTTP: tokens, clock, retries, pagination."""

import asyncio
import time
from typing import Any

import httpx
import pytest

from cloud.cloud_fixtures import DEMO, MAIN_ENTRANCE, ROOM_1, client_for
from conftest import RunningSimulator, StartSimulator
from ttlock_bridge.cloud import (
    CallOutcome,
    Credentials,
    GatewayError,
    LockError,
    OpenState,
    PasscodeError,
    PasscodeType,
    ReauthenticationNeeded,
    RetryPolicy,
    TransportError,
    TTLockClient,
)
from ttlock_bridge.simulator import default_scenario

MINUTE_MS = 60_000


def calls(simulator: RunningSimulator, path: str) -> int:
    count: int = simulator.state()["calls"].get(path, 0)
    return count


def grants(simulator: RunningSimulator, kind: str) -> int:
    count: int = simulator.state()["token_grants"].get(kind, 0)
    return count


async def test_logs_in_once_and_reads_locks_and_details(simulator: RunningSimulator) -> None:
    observed: list[CallOutcome] = []
    async with TTLockClient(DEMO, api_base=simulator.base_url, observe_calls=observed.append) as (
        client
    ):
        locks = [lock async for lock in client.locks()]
        detail = await client.lock_detail(MAIN_ENTRANCE)
        gateways = [gateway async for gateway in client.gateways()]
        links = await client.gateways_of_lock(ROOM_1)
    assert [(call.endpoint, call.lock_id, call.errcode) for call in observed] == [
        ("/oauth2/token", None, None),
        ("/v3/lock/list", None, None),
        ("/v3/lock/detail", MAIN_ENTRANCE, None),
        ("/v3/gateway/list", None, None),
        ("/v3/gateway/listByLock", ROOM_1, None),
    ]
    assert [lock.display_name for lock in locks] == ["Main entrance"] + [
        f"Room {n}" for n in range(1, 7)
    ]
    assert detail.lock_id == MAIN_ENTRANCE
    assert detail.has_gateway is True
    assert detail.electric_quantity == 87
    assert [gateway.is_online for gateway in gateways] == [True]
    assert [link.gateway_id for link in links] == [gateways[0].gateway_id]
    assert grants(simulator, "password") == 1


async def test_remote_unlock_and_lock_change_the_simulated_bolt(
    simulator: RunningSimulator,
) -> None:
    async with client_for(simulator.base_url) as client:
        await client.unlock(ROOM_1)
        assert await client.open_state(ROOM_1) is OpenState.UNLOCKED
        await client.lock(ROOM_1)
        assert await client.open_state(ROOM_1) is OpenState.LOCKED
        records = [record async for record in client.records(ROOM_1)]
    assert len(records) >= 2


async def test_a_token_expiring_mid_run_is_refreshed_and_the_call_succeeds(
    simulator: RunningSimulator,
) -> None:
    async with client_for(simulator.base_url) as client:
        await client.lock_detail(ROOM_1)
        simulator.control("tokens/expire")
        detail = await client.lock_detail(ROOM_1)
    assert detail.lock_id == ROOM_1
    assert grants(simulator, "password") == 1
    assert grants(simulator, "refresh_token") == 1


async def test_fifty_concurrent_calls_on_an_expired_token_cause_one_refresh(
    simulator: RunningSimulator,
) -> None:
    async with client_for(simulator.base_url) as client:
        await client.lock_detail(ROOM_1)
        simulator.control("tokens/expire")
        details = await asyncio.gather(*(client.lock_detail(ROOM_1) for _ in range(50)))
    assert {detail.lock_id for detail in details} == {ROOM_1}
    assert grants(simulator, "refresh_token") == 1
    assert calls(simulator, "/oauth2/token") == 2  # the login and the one refresh


async def test_a_token_near_its_end_is_renewed_ahead_of_expiry_by_one_refresh(
    start_simulator: StartSimulator,
) -> None:
    scenario = default_scenario().model_copy(deep=True)
    scenario = scenario.model_validate(
        {**scenario.model_dump(), "settings": {"token_expires_in": 600}}
    )
    simulator = start_simulator(scenario)
    async with client_for(simulator.base_url) as client:
        await client.lock_detail(ROOM_1)
        # 9.5 of the 10 minutes pass on TTLock's clock; the next call learns the offset.
        simulator.control("clock", {"advance_ms": 570_000})
        await client.lock_detail(ROOM_1)
        assert grants(simulator, "refresh_token") == 0
        await asyncio.gather(*(client.lock_detail(ROOM_1) for _ in range(50)))
    # The token was still valid for TTLock: the refresh came from the client's own decision.
    assert grants(simulator, "refresh_token") == 1


async def test_a_refused_refresh_token_falls_back_to_a_password_login(
    simulator: RunningSimulator,
) -> None:
    async with client_for(simulator.base_url) as client:
        await client.lock_detail(ROOM_1)
        simulator.control("tokens/expire")
        simulator.control("tokens/revoke-refresh")
        detail = await client.lock_detail(ROOM_1)
        assert client.reauthentication_reason is None
    assert detail.lock_id == ROOM_1
    assert grants(simulator, "password") == 2
    assert calls(simulator, "/oauth2/token") == 3  # login, refused refresh, login again


async def test_when_refresh_and_password_both_fail_the_client_stops_calling_ttlock(
    simulator: RunningSimulator,
) -> None:
    async with client_for(simulator.base_url) as client:
        await client.lock_detail(ROOM_1)
        simulator.control("tokens/expire")
        simulator.control("tokens/revoke-refresh")
        simulator.control("users/demo@example.com/password", {"password": "changed-by-owner"})

        with pytest.raises(ReauthenticationNeeded) as refused:
            await client.lock_detail(ROOM_1)
        assert refused.value.errcode == 10007
        assert client.reauthentication_reason is not None
        assert "Wrong TTLock username or password" in client.reauthentication_reason

        calls_before = simulator.state()["calls"]
        for _ in range(20):
            with pytest.raises(ReauthenticationNeeded):
                await client.unlock(ROOM_1)
        assert simulator.state()["calls"] == calls_before  # no retry storm: nothing was sent

        client.use_credentials(
            Credentials.with_password(
                DEMO.client_id, DEMO.client_secret, DEMO.username, "changed-by-owner"
            )
        )
        assert (await client.lock_detail(ROOM_1)).lock_id == ROOM_1
        assert client.reauthentication_reason is None


async def test_a_clock_ten_minutes_off_is_corrected_from_the_date_header(
    simulator: RunningSimulator,
) -> None:
    ten_minutes_ahead = int(time.time() * 1000) + 10 * MINUTE_MS
    simulator.control("clock", {"now_ms": ten_minutes_ahead})
    async with client_for(simulator.base_url) as client:
        await client.lock_detail(ROOM_1)
        assert calls(simulator, "/v3/lock/detail") == 2  # refused once (80000), then accepted
        assert abs(client.clock_offset_ms - 10 * MINUTE_MS) < 5_000
        await client.lock_detail(ROOM_1)
    assert calls(simulator, "/v3/lock/detail") == 3  # the offset is kept for later calls


@pytest.mark.parametrize(
    "fault", [{"errcode": 1}, {"errcode": -3003}, {"http_status": 500}], ids=str
)
async def test_transient_failures_are_retried_until_the_command_succeeds(
    simulator: RunningSimulator, fault: dict[str, int]
) -> None:
    simulator.control("faults", {"path": "/v3/lock/unlock", "count": 2, **fault})
    async with client_for(simulator.base_url) as client:
        await client.unlock(ROOM_1)
    assert calls(simulator, "/v3/lock/unlock") == 3


async def test_retries_give_up_within_the_policy_and_raise_the_last_error(
    simulator: RunningSimulator,
) -> None:
    simulator.control("faults", {"path": "/v3/lock/unlock", "count": 10, "http_status": 503})
    policy = RetryPolicy(base_delay=0.01, max_delay=0.02, max_attempts=3, max_elapsed=5.0)
    async with client_for(simulator.base_url, retry_policy=policy) as client:
        with pytest.raises(TransportError) as failure:
            await client.unlock(ROOM_1)
    assert failure.value.transient
    assert calls(simulator, "/v3/lock/unlock") == 3


async def test_remote_unlock_switched_off_is_not_retried_and_says_what_to_do(
    simulator: RunningSimulator,
) -> None:
    simulator.control(f"locks/{ROOM_1}", {"remoteUnlock": False})
    async with client_for(simulator.base_url) as client:
        with pytest.raises(LockError) as refused:
            await client.unlock(ROOM_1)
    assert refused.value.errcode == -4043
    assert "turn it on in the TTLock app" in refused.value.guidance
    assert calls(simulator, "/v3/lock/unlock") == 1


async def test_a_padlock_refusing_a_remote_lock_gets_a_hint_about_locking_not_unlocking(
    simulator: RunningSimulator,
) -> None:
    simulator.control("faults", {"path": "/v3/lock/lock", "count": 1, "errcode": -4043})
    async with client_for(simulator.base_url) as client:
        with pytest.raises(LockError) as refused:
            await client.lock(ROOM_1)
    assert refused.value.errcode == -4043
    assert "cannot be locked remotely" in refused.value.guidance
    assert "unlock" not in refused.value.guidance.lower()


async def test_a_lock_without_gateway_is_not_retried(simulator: RunningSimulator) -> None:
    simulator.control("faults", {"path": "/v3/lock/lock", "count": 5, "errcode": -2012})
    async with client_for(simulator.base_url) as client:
        with pytest.raises(GatewayError) as refused:
            await client.lock(ROOM_1)
    assert refused.value.errcode == -2012
    assert calls(simulator, "/v3/lock/lock") == 1


async def test_an_offline_gateway_is_reported_without_retries(simulator: RunningSimulator) -> None:
    gateway_id = simulator.state()["gateways"][0]["gatewayId"]
    simulator.control(f"gateways/{gateway_id}", {"online": False})
    async with client_for(simulator.base_url) as client:
        with pytest.raises(GatewayError) as refused:
            await client.unlock(ROOM_1)
    assert refused.value.errcode == -3002
    assert calls(simulator, "/v3/lock/unlock") == 1


async def test_a_duplicate_passcode_is_not_retried(simulator: RunningSimulator) -> None:
    async with client_for(simulator.base_url) as client:
        first = await client.add_passcode(ROOM_1, "480213", name="guest A")
        with pytest.raises(PasscodeError) as refused:
            await client.add_passcode(ROOM_1, "480213", name="guest B")
    assert refused.value.errcode == -3007
    assert calls(simulator, "/v3/keyboardPwd/add") == 2
    on_lock = [p for p in _lock_state(simulator, ROOM_1)["passcodes"] if p["onLock"]]
    assert [p["keyboardPwdId"] for p in on_lock] == [first]


async def test_ten_commands_to_one_lock_at_once_are_serialised_without_busy_errors(
    start_simulator: StartSimulator,
) -> None:
    simulator = start_simulator(latency_ms=30)
    no_retries = RetryPolicy(max_attempts=1)  # a -3003 would surface instead of being retried
    async with client_for(simulator.base_url, retry_policy=no_retries) as client:
        commands = [client.unlock(ROOM_1) if n % 2 else client.lock(ROOM_1) for n in range(10)]
        await asyncio.gather(*commands)
    assert calls(simulator, "/v3/lock/unlock") + calls(simulator, "/v3/lock/lock") == 10


async def test_the_simulated_gateway_really_is_busy_for_unserialised_commands(
    start_simulator: StartSimulator,
) -> None:
    """Control for the test above: without the client's gate, the same burst meets -3003."""
    simulator = start_simulator(latency_ms=30)
    async with client_for(simulator.base_url) as client:
        await client.lock_detail(ROOM_1)  # log in
        token = await client._session.access_token()
    async with httpx.AsyncClient(base_url=simulator.base_url) as raw:

        async def raw_unlock() -> int:
            params = {
                "clientId": DEMO.client_id,
                "accessToken": token,
                "lockId": ROOM_1,
                "date": int(time.time() * 1000),
            }
            answer = (await raw.post("/v3/lock/unlock", data=params)).json()
            errcode: int = answer.get("errcode", 0)
            return errcode

        errcodes = await asyncio.gather(*(raw_unlock() for _ in range(10)))
    assert -3003 in errcodes


async def test_passcodes_are_listed_across_pages(simulator: RunningSimulator) -> None:
    codes = [f"{(n * 7919 + 104_729) % 900_000 + 100_000}" for n in range(120)]
    async with client_for(simulator.base_url) as client:
        added = await asyncio.gather(
            *(client.add_passcode(ROOM_1, code, name=f"guest {n}") for n, code in enumerate(codes))
        )
        listed = [passcode async for passcode in client.passcodes(ROOM_1, page_size=50)]
    assert sorted(p.keyboard_pwd_id for p in listed) == sorted(added)
    assert {p.keyboard_pwd for p in listed} == set(codes)
    assert calls(simulator, "/v3/lock/listKeyboardPwd") == 3


async def test_random_passcodes_change_and_delete_through_the_gateway(
    simulator: RunningSimulator,
) -> None:
    start = (int(time.time() * 1000) // 3_600_000 + 1) * 3_600_000
    async with client_for(simulator.base_url) as client:
        issued = await client.random_passcode(
            ROOM_1, PasscodeType.PERIOD, start_ms=start, end_ms=start + 24 * 3_600_000
        )
        custom = await client.add_passcode(
            ROOM_1, "740193", name="guest", start_ms=start, end_ms=start + 3_600_000
        )
        await client.change_passcode(ROOM_1, custom, name="guest renamed")
        await client.delete_passcode(ROOM_1, custom)
        remaining = [p.keyboard_pwd_id async for p in client.passcodes(ROOM_1)]
    assert issued.keyboard_pwd.isdigit()
    assert custom not in remaining


def _lock_state(simulator: RunningSimulator, lock_id: int) -> dict[str, Any]:
    for lock in simulator.state()["locks"]:
        if lock["lockId"] == lock_id:
            result: dict[str, Any] = lock
            return result
    raise AssertionError(f"lock {lock_id} not in the simulator")
