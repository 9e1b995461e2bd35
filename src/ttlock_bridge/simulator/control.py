"""The `/_sim/` control API (JSON in, JSON out; not TTLock's): lets tests and demos read the
whole state, move the clock, break tokens and gateways, inject faults and type on keypads.
"""

from collections.abc import Awaitable, Callable
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from ttlock_bridge.simulator.api import ROUTES, Simulation
from ttlock_bridge.simulator.callbacks import record_fields
from ttlock_bridge.simulator.errors import ControlError
from ttlock_bridge.simulator.state import Fault, Gateway, Lock, Passcode, World


class _Body(BaseModel):
    model_config = ConfigDict(extra="forbid")


class ClockChange(_Body):
    now_ms: int | None = None
    advance_ms: int | None = None

    @model_validator(mode="after")
    def _exactly_one(self) -> "ClockChange":
        if (self.now_ms is None) == (self.advance_ms is None):
            raise ValueError("give exactly one of now_ms or advance_ms")
        return self


class PasswordChange(_Body):
    password: str


class GatewayChange(_Body):
    online: bool


class LockChange(_Body):
    remoteUnlock: bool | None = None
    battery: int | None = Field(default=None, ge=0, le=100)
    gateway: int | None = None
    clockDriftMs: int | None = Field(default=None, ge=-(10**11), le=10**11)
    timezoneRawOffset: int | None = Field(default=None, ge=-12 * 3_600_000, le=14 * 3_600_000)


class SettingsChange(_Body):
    latency_ms: int | None = Field(default=None, ge=0)
    transient_error_rate: float | None = Field(default=None, ge=0.0, le=1.0)


class FaultRequest(_Body):
    path: str
    count: int = Field(default=1, ge=1)
    errcode: int | None = None
    delay_ms: int = Field(default=0, ge=0)
    http_status: int | None = Field(default=None, ge=400, le=599)
    drop_after_apply: bool = False


class KeypadEntry(_Body):
    code: str


class Nothing(_Body):
    pass


def state_body(world: World) -> dict[str, object]:
    return {
        "now_ms": world.clock.now_ms(),
        "calls": dict(world.calls),
        "token_grants": dict(world.token_grants),
        "callbacks": {"delivered": world.callbacks_delivered, "failed": world.callbacks_failed},
        "gateways": [gateway_state(world, gateway) for gateway in world.gateways.values()],
        "locks": [lock_state(world, lock) for lock in world.locks.values()],
        "records": [record_fields(record) for record in world.records],
    }


def gateway_state(world: World, gateway: Gateway) -> dict[str, object]:
    return {
        "gatewayId": gateway.id,
        "gatewayMac": gateway.mac,
        "gatewayName": gateway.name,
        "online": gateway.online,
        "lockIds": [lock.id for lock in world.locks_behind(gateway)],
    }


def lock_state(world: World, lock: Lock) -> dict[str, object]:
    now_ms = world.clock.now_ms()
    passcodes = [p for p in world.passcodes.values() if p.lock_id == lock.id]
    return {
        "lockId": lock.id,
        "alias": lock.alias,
        "lockName": lock.name,
        "lockMac": lock.mac,
        "admin": lock.admin,
        "hasGateway": lock.gateway_id is not None,
        "gatewayId": lock.gateway_id,
        "remoteUnlock": lock.remote_unlock,
        "battery": lock.battery,
        "clockDriftMs": lock.clock_drift_ms,
        "timezoneRawOffset": lock.timezone_offset_ms,
        "payloads": lock.payloads,
        "batteryAt": lock.battery_at_ms,
        "openState": lock.open_state(now_ms),
        "passcodes": [passcode_state(passcode) for passcode in passcodes],
    }


def passcode_state(passcode: Passcode) -> dict[str, object]:
    """The cloud record, plus whether the lock itself holds the code (`onLock`)."""
    return {
        "keyboardPwdId": passcode.id,
        "keyboardPwd": passcode.code,
        "keyboardPwdName": passcode.name,
        "type": passcode.type,
        "startDate": passcode.start_ms,
        "endDate": passcode.end_ms,
        "isCustom": passcode.is_custom,
        "inCloud": passcode.in_cloud,
        "onLock": passcode.on_lock is not None,
    }


ControlHandler = Callable[[Request, Any], dict[str, object]]


def control_routes(sim: Simulation) -> list[Route]:
    """The `/_sim/` routes bound to one simulation."""
    world = sim.world

    def read_state(_request: Request, _body: Nothing) -> dict[str, object]:
        return state_body(world)

    def set_clock(_request: Request, body: ClockChange) -> dict[str, object]:
        if body.now_ms is not None:
            world.clock.set(body.now_ms)
        else:
            world.clock.advance(body.advance_ms or 0)
        return {"now_ms": world.clock.now_ms()}

    def expire_tokens(_request: Request, _body: Nothing) -> dict[str, object]:
        world.expire_all_access_tokens()
        return {"expired": len(world.tokens)}

    def revoke_refresh(_request: Request, _body: Nothing) -> dict[str, object]:
        world.revoke_all_refresh_tokens()
        return {"revoked": True}

    def set_password(request: Request, body: PasswordChange) -> dict[str, object]:
        username = request.path_params["username"]
        world.set_password(username, body.password)
        return {"username": username}

    def set_gateway(request: Request, body: GatewayChange) -> dict[str, object]:
        gateway = world.control_gateway(request.path_params["gateway_id"])
        gateway.online = body.online
        return gateway_state(world, gateway)

    def set_lock(request: Request, body: LockChange) -> dict[str, object]:
        lock = world.control_lock(request.path_params["lock_id"])
        if body.remoteUnlock is not None:
            lock.remote_unlock = body.remoteUnlock
        if body.battery is not None:
            lock.battery = body.battery
            lock.battery_at_ms = world.clock.now_ms()
        if body.clockDriftMs is not None:
            lock.clock_drift_ms = body.clockDriftMs
        if body.timezoneRawOffset is not None:
            lock.timezone_offset_ms = body.timezoneRawOffset
        if "gateway" in body.model_fields_set:
            if body.gateway is not None:
                world.control_gateway(body.gateway)
            lock.gateway_id = body.gateway
        return lock_state(world, lock)

    def set_settings(_request: Request, body: SettingsChange) -> dict[str, object]:
        if body.latency_ms is not None:
            world.latency_ms = body.latency_ms
        if body.transient_error_rate is not None:
            world.transient_error_rate = body.transient_error_rate
        return {"latency_ms": world.latency_ms, "transient_error_rate": world.transient_error_rate}

    def add_fault(_request: Request, body: FaultRequest) -> dict[str, object]:
        if body.path not in ROUTES:
            raise ControlError(f"{body.path} is not a simulated TTLock path")
        fault = Fault(
            remaining=body.count,
            errcode=body.errcode,
            delay_ms=body.delay_ms,
            http_status=body.http_status,
            drop_after_apply=body.drop_after_apply,
        )
        world.add_fault(body.path, fault)
        return {"path": body.path, "pending": sum(f.remaining for f in world.faults[body.path])}

    def clear_faults(_request: Request, _body: Nothing) -> dict[str, object]:
        world.faults.clear()
        return {"pending": 0}

    def type_code(request: Request, body: KeypadEntry) -> dict[str, object]:
        lock = world.control_lock(request.path_params["lock_id"])
        record = world.type_on_keypad(lock, body.code)
        sim.record_made(lock, record)
        return {"opened": record.success == 1, "record": record_fields(record)}

    def post(path: str, handler: ControlHandler, model: type[BaseModel]) -> Route:
        return Route(path, _json_endpoint(handler, model), methods=["POST"])

    return [
        Route("/_sim/state", _json_endpoint(read_state, None), methods=["GET"]),
        post("/_sim/clock", set_clock, ClockChange),
        post("/_sim/tokens/expire", expire_tokens, Nothing),
        post("/_sim/tokens/revoke-refresh", revoke_refresh, Nothing),
        post("/_sim/users/{username}/password", set_password, PasswordChange),
        post("/_sim/gateways/{gateway_id:int}", set_gateway, GatewayChange),
        post("/_sim/locks/{lock_id:int}/keypad", type_code, KeypadEntry),
        post("/_sim/locks/{lock_id:int}", set_lock, LockChange),
        post("/_sim/settings", set_settings, SettingsChange),
        post("/_sim/faults", add_fault, FaultRequest),
        post("/_sim/faults/clear", clear_faults, Nothing),
        _redeliver_route(sim),
    ]


def _redeliver_route(sim: Simulation) -> Route:
    """`POST /_sim/callbacks/redeliver`: the last callback posted again, unchanged."""

    def redeliver(_request: Request, _body: Nothing) -> dict[str, object]:
        return {"redelivered": sim.callbacks.redeliver_last()}

    return Route("/_sim/callbacks/redeliver", _json_endpoint(redeliver, Nothing), methods=["POST"])


def _json_endpoint(
    handler: ControlHandler, model: type[BaseModel] | None
) -> Callable[[Request], Awaitable[JSONResponse]]:
    """Parse the JSON body into `model`; 400 for a bad body, 404 for an unknown name."""

    async def endpoint(request: Request) -> JSONResponse:
        try:
            raw = await request.body()
            body = None if model is None else model.model_validate_json(raw or b"{}")
            return JSONResponse(handler(request, body))
        except ValidationError as error:
            problems = [
                f"{'.'.join(str(p) for p in issue['loc']) or '<body>'}: {issue['msg']}"
                for issue in error.errors()
            ]
            return JSONResponse({"error": "; ".join(problems)}, status_code=400)
        except ControlError as error:
            return JSONResponse({"error": str(error)}, status_code=404)

    return endpoint
