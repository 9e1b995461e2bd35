"""`TTLockClient`: the TTLock Open API as typed async methods, with the hard parts built in.

Each call carries clientId, accessToken and a fresh `date`; a refused token is replaced once
(Session), a clock skew is corrected once (CloudClock), transient failures are retried with
backoff (RetryPolicy), and commands that travel through a gateway to a lock are serialised per
lock (across processes too, given `lock_turns`) under a global concurrency limit (RemoteGate).
"""

import asyncio
import json
import logging
import time
from collections.abc import AsyncIterator
from types import TracebackType
from typing import Any, Literal, Self, TypeVar

import httpx
from pydantic import BaseModel

from ttlock_bridge.cloud.clock import CloudClock
from ttlock_bridge.cloud.credentials import Credentials, password_md5
from ttlock_bridge.cloud.errors import (
    AuthError,
    ClockError,
    ReauthenticationNeeded,
    TTLockError,
)
from ttlock_bridge.cloud.gate import RemoteGate, SharedTurns
from ttlock_bridge.cloud.models import (
    AddedPasscode,
    BatteryAnswer,
    Fingerprint,
    Gateway,
    IdentityCard,
    IssuedPasscode,
    LockClockAnswer,
    LockDetail,
    LockGateway,
    LockRecord,
    LockSummary,
    OpenState,
    OpenStateAnswer,
    PageInfo,
    PassageModeConfig,
    Passcode,
    PasscodeType,
    RegisteredUser,
)
from ttlock_bridge.cloud.regions import REGIONS
from ttlock_bridge.cloud.retry import RetryPolicy
from ttlock_bridge.cloud.session import Session
from ttlock_bridge.cloud.tokens import MemoryTokenStore, StoredToken, TokenStore
from ttlock_bridge.cloud.transport import CLOUD_ONLY, Answer, CallObserver, Transport

log = logging.getLogger("ttlock_bridge.cloud")

Item = TypeVar("Item", bound=BaseModel)

Signer = Literal["token", "application"]
"""Calls are signed by the account's access token, or (user/*) by the application secret."""

TOKEN_REFUSED = frozenset({10003, 10004})
"""Token unknown / expired: the cases a new token can fix."""

THROUGH_GATEWAY = 2
"""addType/changeType/deleteType/type value meaning "the cloud writes it to the lock"."""


class TTLockClient:
    """An async TTLock Open API client for one application and one account.

    Use as `async with TTLockClient(credentials, api_base=...) as client:`. `token_store`
    defaults to memory only; pass a FileTokenStore to keep tokens between runs.
    `observe_calls` is told the outcome of every request (metrics, gateway health).
    """

    def __init__(
        self,
        credentials: Credentials,
        *,
        api_base: str = REGIONS["eu"],
        token_store: TokenStore | None = None,
        retry_policy: RetryPolicy | None = None,
        remote_concurrency: int = 8,
        timeout_seconds: float = 30.0,
        observe_calls: CallObserver | None = None,
        lock_turns: SharedTurns | None = None,
    ) -> None:
        """`lock_turns`: one command at a time per lock shared with other processes (the
        store's, for `serve` replicas on one PostgreSQL database); None: this process only."""
        self._http = httpx.AsyncClient(timeout=httpx.Timeout(timeout_seconds, connect=10.0))
        self._clock = CloudClock()
        self._transport = Transport(api_base, self._http, observe_calls)
        self._session = Session(
            self._transport, credentials, token_store or MemoryTokenStore(), self._clock
        )
        self._retry = retry_policy or RetryPolicy()
        self._gate = RemoteGate(remote_concurrency, lock_turns)

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        await self._http.aclose()

    # --- state -----------------------------------------------------------------------------

    @property
    def reauthentication_reason(self) -> str | None:
        """Why the client stopped calling TTLock ("re-authentication needed"), or None."""
        return self._session.reauthentication_reason

    def use_credentials(self, credentials: Credentials) -> None:
        """New credentials from a person; leaves the re-authentication state."""
        self._session.use_credentials(credentials)

    @property
    def remote_concurrency(self) -> int:
        """How many gateway commands may be in flight at once, across all locks."""
        return self._gate.concurrency

    @property
    def clock_offset_ms(self) -> int:
        """How far TTLock's clock is ahead of this host's, as last observed (0 if never)."""
        return self._clock.offset_ms

    def server_now_ms(self) -> int:
        """TTLock's time now (UTC epoch ms): this host's clock plus the observed offset."""
        return self._clock.now_ms()

    # --- account ---------------------------------------------------------------------------

    async def log_in(self) -> StoredToken:
        """Log in with the password now (and store the token), whatever the current token."""
        return await self._session.log_in()

    async def register_user(self, username: str, password: str) -> str:
        """Create an app user for this application; returns the prefixed name TTLock assigns."""
        answer = await self._call(
            "/v3/user/register",
            {"username": username, "password": password_md5(password)},
            signed_by="application",
        )
        return RegisteredUser.model_validate(answer).username

    # --- locks -----------------------------------------------------------------------------

    def locks(self, *, alias: str | None = None) -> AsyncIterator[LockSummary]:
        """Every lock the account administers (optionally filtered by alias, fuzzy)."""
        params = {} if alias is None else {"lockAlias": alias}
        return self._pages("/v3/lock/list", params, LockSummary)

    async def lock_detail(self, lock_id: int) -> LockDetail:
        return LockDetail.model_validate(await self._call("/v3/lock/detail", {"lockId": lock_id}))

    async def unlock(self, lock_id: int) -> None:
        """Open the lock remotely through its gateway (needs remote unlock switched on)."""
        await self._remote(lock_id, "/v3/lock/unlock", {})

    async def lock(self, lock_id: int) -> None:
        """Lock remotely through the gateway."""
        await self._remote(lock_id, "/v3/lock/lock", {})

    async def open_state(self, lock_id: int) -> OpenState:
        answer = await self._remote(lock_id, "/v3/lock/queryOpenState", {})
        return OpenStateAnswer.model_validate(answer).state

    async def battery(self, lock_id: int) -> int:
        """Battery level in percent, read from the lock through the gateway."""
        answer = await self._remote(lock_id, "/v3/lock/queryElectricQuantity", {})
        return BatteryAnswer.model_validate(answer).electric_quantity

    async def lock_clock(self, lock_id: int) -> int:
        """The lock's own clock (epoch ms), to detect drift that breaks passcode validity."""
        answer = await self._remote(lock_id, "/v3/lock/queryDate", {})
        return LockClockAnswer.model_validate(answer).date

    async def set_lock_clock(self, lock_id: int) -> int:
        """Set the lock's clock to TTLock's time; returns the lock's clock afterwards."""
        answer = await self._remote(lock_id, "/v3/lock/updateDate", {})
        return LockClockAnswer.model_validate(answer).date

    async def passage_mode(self, lock_id: int) -> PassageModeConfig:
        answer = await self._call("/v3/lock/getPassageModeConfig", {"lockId": lock_id})
        return PassageModeConfig.model_validate(answer)

    async def set_passage_mode(
        self,
        lock_id: int,
        *,
        enabled: bool,
        week_days: list[int],
        start_minute: int | None = None,
        end_minute: int | None = None,
        auto_unlock: bool = False,
    ) -> None:
        """Configure passage mode through the gateway. Days are 1 = Monday ... 7 = Sunday;
        minutes count from local midnight of the lock; no minutes means all day."""
        all_day = start_minute is None or end_minute is None
        params: dict[str, Any] = {
            "passageMode": _on_off(enabled),
            "isAllDay": _on_off(all_day),
            "weekDays": json.dumps(week_days),
            "autoUnlock": _on_off(auto_unlock),
            "type": THROUGH_GATEWAY,
        }
        if not all_day:
            params |= {"startDate": start_minute, "endDate": end_minute}
        await self._remote(lock_id, "/v3/lock/configPassageMode", params)

    # --- passcodes -------------------------------------------------------------------------

    async def random_passcode(
        self,
        lock_id: int,
        kind: PasscodeType,
        *,
        start_ms: int,
        end_ms: int | None = None,
        name: str | None = None,
    ) -> IssuedPasscode:
        """A random (offline, algorithmic) passcode; needs no gateway. Hours are truncated."""
        params: dict[str, Any] = {"keyboardPwdType": int(kind), "startDate": start_ms}
        if end_ms is not None:
            params["endDate"] = end_ms
        if name is not None:
            params["keyboardPwdName"] = name
        answer = await self._call("/v3/keyboardPwd/get", {"lockId": lock_id, **params})
        return IssuedPasscode.model_validate(answer)

    async def add_passcode(
        self,
        lock_id: int,
        code: str,
        *,
        name: str,
        start_ms: int | None = None,
        end_ms: int | None = None,
    ) -> int:
        """Write a custom passcode to the lock through the gateway; returns its keyboardPwdId.

        Without start and end the code is permanent, otherwise valid in [start, end].
        """
        params: dict[str, Any] = {
            "keyboardPwd": code,
            "keyboardPwdName": name,
            "addType": THROUGH_GATEWAY,
        }
        if start_ms is None or end_ms is None:
            params["keyboardPwdType"] = int(PasscodeType.PERMANENT)
        else:
            params |= {
                "keyboardPwdType": int(PasscodeType.PERIOD),
                "startDate": start_ms,
                "endDate": end_ms,
            }
        answer = await self._remote(lock_id, "/v3/keyboardPwd/add", params)
        return AddedPasscode.model_validate(answer).keyboard_pwd_id

    async def change_passcode(
        self,
        lock_id: int,
        passcode_id: int,
        *,
        name: str | None = None,
        new_code: str | None = None,
        start_ms: int | None = None,
        end_ms: int | None = None,
    ) -> None:
        """Change what is given (name, code, validity) through the gateway."""
        changes = {
            "keyboardPwdName": name,
            "newKeyboardPwd": new_code,
            "startDate": start_ms,
            "endDate": end_ms,
        }
        params = {key: value for key, value in changes.items() if value is not None}
        params |= {"keyboardPwdId": passcode_id, "changeType": THROUGH_GATEWAY}
        await self._remote(lock_id, "/v3/keyboardPwd/change", params)

    async def delete_passcode(
        self, lock_id: int, passcode_id: int, *, on_lock: bool = True
    ) -> None:
        """Delete a passcode from the lock through the gateway; with `on_lock` False only the
        cloud's record (deleteType 1, reference §8.4: for a code the lock no longer holds,
        such as an ended offline code), with no gateway call."""
        if on_lock:
            params = {"keyboardPwdId": passcode_id, "deleteType": THROUGH_GATEWAY}
            await self._remote(lock_id, "/v3/keyboardPwd/delete", params)
        else:
            params = {"lockId": lock_id, "keyboardPwdId": passcode_id, "deleteType": CLOUD_ONLY}
            await self._call("/v3/keyboardPwd/delete", params)

    def passcodes(
        self, lock_id: int, *, search: str | None = None, page_size: int = 100
    ) -> AsyncIterator[Passcode]:
        """Every passcode the cloud knows for the lock, newest first (search: name or code)."""
        params: dict[str, Any] = {"lockId": lock_id, "orderBy": 1}
        if search is not None:
            params["searchStr"] = search
        return self._pages("/v3/lock/listKeyboardPwd", params, Passcode, page_size)

    # --- records, gateways, cards, fingerprints --------------------------------------------

    def records(
        self,
        lock_id: int,
        *,
        start_ms: int | None = None,
        end_ms: int | None = None,
        page_size: int = 100,
    ) -> AsyncIterator[LockRecord]:
        """The lock's events, newest first, optionally within [start, end] of the lock's clock."""
        params: dict[str, Any] = {"lockId": lock_id}
        if start_ms is not None:
            params["startDate"] = start_ms
        if end_ms is not None:
            params["endDate"] = end_ms
        return self._pages("/v3/lockRecord/list", params, LockRecord, page_size)

    def gateways(self) -> AsyncIterator[Gateway]:
        return self._pages("/v3/gateway/list", {}, Gateway)

    async def gateways_of_lock(self, lock_id: int) -> list[LockGateway]:
        """The gateways that can currently reach the lock (empty: remote commands fail)."""
        answer = await self._call("/v3/gateway/listByLock", {"lockId": lock_id})
        return [LockGateway.model_validate(item) for item in answer.get("list") or []]

    def identity_cards(self, lock_id: int) -> AsyncIterator[IdentityCard]:
        return self._pages("/v3/identityCard/list", {"lockId": lock_id}, IdentityCard)

    def fingerprints(self, lock_id: int) -> AsyncIterator[Fingerprint]:
        return self._pages("/v3/fingerprint/list", {"lockId": lock_id}, Fingerprint)

    # --- the request path ------------------------------------------------------------------

    async def _pages(
        self, path: str, params: dict[str, Any], item: type[Item], page_size: int = 100
    ) -> AsyncIterator[Item]:
        """Items of every page, fetched one page at a time until pageNo >= pages."""
        page_no = 1
        while True:
            answer = await self._call(path, {**params, "pageNo": page_no, "pageSize": page_size})
            for entry in answer.get("list") or []:
                yield item.model_validate(entry)
            if page_no >= PageInfo.model_validate(answer).pages:
                return
            page_no += 1

    async def _remote(self, lock_id: int, path: str, params: dict[str, Any]) -> Answer:
        """A command the gateway relays to the lock: one at a time per lock, and at most
        `remote_concurrency` at a time overall."""
        async with self._gate.one_at_a_time(lock_id):
            return await self._call(path, {"lockId": lock_id, **params}, gate=self._gate)

    async def _call(
        self,
        path: str,
        params: dict[str, Any],
        *,
        signed_by: Signer = "token",
        gate: RemoteGate | None = None,
    ) -> Answer:
        """One API call, repeated on transient failures as the retry policy allows.

        With a gate, each attempt holds a global slot; waiting between attempts does not.
        """
        started = time.monotonic()
        attempt = 1
        while True:
            try:
                if gate is None:
                    return await self._signed_call(path, params, signed_by)
                async with gate.slot():
                    return await self._signed_call(path, params, signed_by)
            except TTLockError as error:
                delay = self._retry.delay_after(error, attempt, time.monotonic() - started)
                if delay is None:
                    raise
                log.info("%s: retrying in %.2f s (attempt %d failed)", path, delay, attempt)
            await asyncio.sleep(delay)
            attempt += 1

    async def _signed_call(self, path: str, params: dict[str, Any], signed_by: Signer) -> Answer:
        """Add clientId, the token (or the application secret) and `date`, then send; replace a
        refused token once and correct a skewed clock once."""
        credentials = self._session.credentials
        token = await self._session.access_token() if signed_by == "token" else None
        clock_corrected = token_replaced = False
        while True:
            signature: dict[str, Any] = {"clientId": credentials.client_id}
            if token is None:
                signature["clientSecret"] = credentials.client_secret
            else:
                signature["accessToken"] = token
            signature["date"] = self._clock.now_ms()
            try:
                return await self._transport.post(path, {**params, **signature})
            except ClockError as skew:
                if clock_corrected or skew.server_time_ms is None:
                    raise
                self._clock.align_to(skew.server_time_ms)
                clock_corrected = True
                log.warning(
                    "TTLock's clock is %d ms ahead of ours; corrected", self._clock.offset_ms
                )
            except AuthError as refusal:
                if (
                    token is None
                    or token_replaced
                    or isinstance(refusal, ReauthenticationNeeded)
                    or refusal.errcode not in TOKEN_REFUSED
                ):
                    raise
                token = await self._session.replace_refused(token)
                token_replaced = True


def _on_off(flag: bool) -> int:
    """TTLock's 1 = on / 2 = off convention."""
    return 1 if flag else 2
