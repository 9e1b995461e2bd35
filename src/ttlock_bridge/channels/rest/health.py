"""`/healthz` (no token: the process answers), `/readyz` and `/metrics` (token required)."""

from __future__ import annotations

from fastapi import APIRouter, Depends
from fastapi.responses import JSONResponse, PlainTextResponse

from ttlock_bridge.channels.rest.dependencies import BridgeDep, require_token
from ttlock_bridge.channels.rest.errors import ERROR_RESPONSES
from ttlock_bridge.channels.rest.schemas import CheckOut, HealthOut, ReadinessOut
from ttlock_bridge.operations.metrics import CONTENT_TYPE

router = APIRouter(tags=["health"])


@router.get("/healthz", summary="The process is up (no token needed)")
async def healthz() -> HealthOut:
    return HealthOut(status="ok")


@router.get(
    "/readyz",
    summary="Store reachable, TTLock token usable, cloud reachable, channels ready",
    dependencies=[Depends(require_token)],
    responses={
        **ERROR_RESPONSES,
        503: {"model": ReadinessOut, "description": "Not ready; the checks say why"},
    },
)
async def readyz(bridge: BridgeDep) -> ReadinessOut:
    checks = [
        CheckOut(name=check.name, ready=check.ready, detail=check.detail)
        for check in await bridge.readiness.checks()
    ]
    result = ReadinessOut(ready=all(check.ready for check in checks), checks=checks)
    if not result.ready:
        return JSONResponse(result.model_dump(), status_code=503)  # type: ignore[return-value]
    return result


@router.get(
    "/metrics",
    summary="Prometheus metrics (text format)",
    dependencies=[Depends(require_token)],
    responses={
        **ERROR_RESPONSES,
        200: {"content": {"text/plain": {"schema": {"type": "string"}}}},
    },
)
async def metrics(bridge: BridgeDep) -> PlainTextResponse:
    return PlainTextResponse(await bridge.metrics.render(), media_type=CONTENT_TYPE)
