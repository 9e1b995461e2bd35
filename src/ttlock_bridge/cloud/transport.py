"""One request to TTLock and the reading of its answer: the only module that touches HTTP.

Every call is a form POST (TTLock accepts POST on every endpoint). An answer is a success when
the HTTP status is 2xx and the JSON body has no errcode or errcode 0; anything else becomes the
matching `TTLockError`. Each request is counted for the quota and logged without secrets.
"""

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import httpx

from ttlock_bridge.cloud.clock import server_time_ms
from ttlock_bridge.cloud.errors import ClockError, TransportError, TTLockError, error_for

log = logging.getLogger("ttlock_bridge.cloud")

LOGGABLE_PARAMETERS = ("lockId", "keyboardPwdId", "gatewayId", "pageNo", "grant_type")
"""Parameters safe to show in logs; everything else may be a secret or a passcode."""

Answer = dict[str, Any]


@dataclass(frozen=True, slots=True)
class CallOutcome:
    """One request to TTLock, once it ended: what metrics and gateway health learn from it."""

    endpoint: str  # the path, e.g. "/v3/lock/unlock"
    seconds: float
    lock_id: int | None  # the request's lockId parameter, when it had one
    errcode: int | None  # None when it succeeded (or no answer came: see `answered`)
    answered: bool  # False when TTLock could not be reached
    cloud_only: bool = False  # it changed only TTLock's records, not the lock (deleteType 1)


CLOUD_ONLY = 1
"""deleteType value meaning "remove only the cloud's record" (reference §8.4)."""

CallObserver = Callable[[CallOutcome], None]
"""Told of every request once it ended (answer or failure)."""


class Transport:
    """Sends form POSTs to one TTLock base URL over a shared keep-alive connection pool."""

    def __init__(
        self,
        api_base: str,
        http: httpx.AsyncClient,
        observe: CallObserver | None = None,
    ) -> None:
        self.api_base = api_base
        self._http = http
        self._observe = observe

    async def post(self, path: str, params: dict[str, Any]) -> Answer:
        """The answer's JSON object, or the TTLockError it stands for."""
        started = time.perf_counter()
        errcode: int | None = None
        answered = True
        try:
            return await self._post(path, params, started)
        except TTLockError as error:
            errcode, answered = error.errcode, not isinstance(error, TransportError)
            raise
        finally:
            if self._observe is not None:
                self._observe(
                    CallOutcome(
                        endpoint=path,
                        seconds=time.perf_counter() - started,
                        lock_id=_lock_id(params),
                        errcode=errcode,
                        answered=answered,
                        cloud_only=params.get("deleteType") == CLOUD_ONLY,
                    )
                )

    async def _post(self, path: str, params: dict[str, Any], started: float) -> Answer:
        summary = " ".join(f"{k}={params[k]}" for k in LOGGABLE_PARAMETERS if k in params)
        try:
            response = await self._http.post(self.api_base + path, data=params)
        except httpx.HTTPError as failure:
            error = TransportError(
                None,
                f"{type(failure).__name__}: {failure}",
                f"Could not reach TTLock at {self.api_base}: check the network connection",
                transient=True,
            )
            _log_failure(path, summary, started, error)
            raise error from failure
        try:
            answer = read_answer(response, path)
        except TTLockError as error:
            if isinstance(error, ClockError):
                error.server_time_ms = server_time_ms(response.headers.get_list("date"))
            _log_failure(path, summary, started, error)
            raise
        log.debug("%s %s -> ok in %.0f ms", path, summary, _ms_since(started))
        return answer


def read_answer(response: httpx.Response, path: str | None = None) -> Answer:
    """Turn an HTTP response into TTLock's answer object or raise the error it carries; `path`
    (the API path called) picks the guidance that fits the command sent."""
    if response.status_code >= 500:
        raise TransportError(
            None,
            f"HTTP {response.status_code}",
            "TTLock's servers failed (HTTP 5xx): try again later",
            transient=True,
        )
    if response.status_code >= 400:
        raise TransportError(
            None,
            f"HTTP {response.status_code}",
            "TTLock refused the request at the HTTP level: check the API base URL "
            "(TTLOCK_API_BASE or --region)",
        )
    try:
        answer = response.json()
    except ValueError:
        answer = None
    if not isinstance(answer, dict):
        raise TransportError(
            None,
            "the answer is not a JSON object",
            "The server at the API base URL does not answer like TTLock: check TTLOCK_API_BASE",
        )
    try:
        errcode = int(answer.get("errcode") or 0)
    except (TypeError, ValueError):
        errcode = -1
    if errcode != 0:
        raise error_for(errcode, str(answer.get("errmsg", "")), path)
    return answer


def _lock_id(params: dict[str, Any]) -> int | None:
    try:
        return int(params["lockId"])
    except (KeyError, TypeError, ValueError):
        return None


def _ms_since(started: float) -> float:
    return (time.perf_counter() - started) * 1000


def _log_failure(path: str, summary: str, started: float, error: TTLockError) -> None:
    log.info(
        "%s %s -> failed in %.0f ms: errcode %s, %s",
        path,
        summary,
        _ms_since(started),
        error.errcode,
        error.message,
    )
