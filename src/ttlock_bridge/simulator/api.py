"""The TTLock Open API routes: parameter parsing, authentication and response envelopes.

Every handler is registered in `ROUTES` by its path, so dispatch is one dictionary lookup.
Handlers return the JSON body; `ApiError` becomes the `{errcode, errmsg, description}` body.
"""

import asyncio
import base64
import hashlib
import json
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TypeVar
from urllib.parse import parse_qsl

from starlette.requests import Request

from ttlock_bridge.simulator.callbacks import CallbackSender, listed_record
from ttlock_bridge.simulator.errors import (
    SUCCESS_DESCRIPTION,
    SUCCESS_ERRMSG,
    WRONG_CONTENT_TYPE_ERRMSG,
    ApiError,
)
from ttlock_bridge.simulator.paging import page_of
from ttlock_bridge.simulator.state import Gateway, Lock, Passcode, Record, Token, User, World

SUCCESS: dict[str, object] = {
    "errcode": 0,
    "errmsg": SUCCESS_ERRMSG,
    "description": SUCCESS_DESCRIPTION,
}
FORM_CONTENT_TYPE = "application/x-www-form-urlencoded"
# Bits 0 passcode, 4 auto-lock, 5 clear passcodes, 6 upgrade, 7 custom passcodes, 8 remote lock,
# 10 gateway unlock, 12 cyclic passcodes, 14 remote-unlock switch, 15 voice, 18, 22 passage mode.
FEATURE_VALUE = format(sum(1 << bit for bit in (0, 4, 5, 6, 7, 8, 10, 12, 14, 15, 18, 22)), "X")
REMOTE = 2
"""addType / changeType / deleteType / type value meaning "through the gateway"."""
UNKNOWN_FLAG = 0
"""A lock/detail setting flag the lock never reported: 0 unknown, 1 on, 2 off (§5.2)."""

T = TypeVar("T")
Body = dict[str, object]


@dataclass
class Simulation:
    """What a handler works with: the world and the callback sender."""

    world: World
    callbacks: CallbackSender

    def signed_in(self, params: "Params") -> User:
        """Authenticate a /v3 call: clientId (10000), date (80000), accessToken (10003/10004)."""
        app = self.world.apps.get(params.text("clientId") or "")
        if app is None:
            raise ApiError(10000)
        self.world.check_date(params.text("date"))
        return self.world.user_of_token(app, params.text("accessToken"))

    async def through_gateway(self, lock: Lock, apply: Callable[[], T]) -> T:
        """Run a remote command: claim the gateway, wait its latency, maybe fail, then apply."""
        self.world.claim_gateway(lock)
        try:
            if self.world.latency_ms:
                await asyncio.sleep(self.world.latency_ms / 1000)
            self.world.roll_transient_failure()
            return apply()
        finally:
            self.world.release_gateway(lock)

    def record_made(self, lock: Lock, record: Record) -> None:
        self.callbacks.notify(lock, record)


class Params:
    """Merged query-string and form parameters with TTLock-style validation (-3)."""

    def __init__(self, values: dict[str, str]) -> None:
        self._values = values

    def text(self, *names: str) -> str | None:
        """The first of `names` present (aliases like clientId|client_id)."""
        for name in names:
            value = self._values.get(name)
            if value is not None:
                return value
        return None

    def required_text(self, name: str) -> str:
        value = self._values.get(name)
        if value is None or value == "":
            raise ApiError(-3)
        return value

    def optional_int(self, name: str) -> int | None:
        value = self._values.get(name)
        if value is None or value == "":
            return None
        try:
            return int(value)
        except ValueError:
            raise ApiError(-3) from None

    def integer(self, name: str, default: int | None = None) -> int:
        value = self.optional_int(name)
        if value is None:
            if default is None:
                raise ApiError(-3)
            return default
        return value


async def read_params(request: Request) -> Params:
    """Query string merged with a form body; any other POST body is refused (reference §2.1)."""
    values = dict(request.query_params)
    if request.method == "POST":
        body = await request.body()
        content_type = request.headers.get("content-type", "")
        if content_type.split(";")[0].strip().lower() == FORM_CONTENT_TYPE:
            values.update(parse_qsl(body.decode("utf-8", "replace"), keep_blank_values=True))
        elif body or content_type:
            raise ApiError(-3, WRONG_CONTENT_TYPE_ERRMSG)
    return Params(values)


Handler = Callable[[Simulation, Params], Awaitable[Body]]
SignedInHandler = Callable[[Simulation, Params, User], Awaitable[Body]]
ROUTES: dict[str, Handler] = {}


def route(path: str) -> Callable[[Handler], Handler]:
    def register(handler: Handler) -> Handler:
        ROUTES[path] = handler
        return handler

    return register


def signed_in_route(path: str) -> Callable[[SignedInHandler], SignedInHandler]:
    """Register a /v3 handler that runs only for a valid clientId, date and accessToken."""

    def register(handler: SignedInHandler) -> SignedInHandler:
        async def authenticated(sim: Simulation, params: Params) -> Body:
            return await handler(sim, params, sim.signed_in(params))

        ROUTES[path] = authenticated
        return handler

    return register


# -- authentication and users ----------------------------------------------------------------


@route("/oauth2/token")
async def token(sim: Simulation, params: Params) -> Body:
    grant_type = params.text("grant_type") or "password"
    if grant_type not in ("password", "refresh_token"):
        raise ApiError(10010)
    sim.world.token_grants[grant_type] += 1
    app = sim.world.authenticate_app(
        params.text("clientId", "client_id"), params.text("clientSecret", "client_secret")
    )
    if grant_type == "refresh_token":
        issued = sim.world.refresh_grant(app, params.text("refresh_token") or "")
        return token_body(sim.world, issued, with_uid=False)
    issued = sim.world.password_grant(
        app, params.text("username") or "", params.text("password") or ""
    )
    return token_body(sim.world, issued, with_uid=True)


def token_body(world: World, issued: Token, *, with_uid: bool) -> Body:
    body: Body = {"access_token": issued.access_token, "refresh_token": issued.refresh_token}
    if with_uid:
        body["uid"] = issued.user.uid
    body.update(
        openid=1_593_850_000 + issued.user.uid,
        scope="user,key,room",
        token_type="Bearer",  # noqa: S106 - the OAuth token type, not a secret
        # whole seconds left, rounded up: a token issued a millisecond ago still has its full life
        expires_in=-((world.clock.now_ms() - issued.expires_at_ms) // 1000),
    )
    return body


@route("/v3/user/register")
async def register_user(sim: Simulation, params: Params) -> Body:
    app = sim.world.authenticate_app(params.text("clientId"), params.text("clientSecret"))
    sim.world.check_date(params.text("date"))
    user = sim.world.register_user(
        app, params.required_text("username"), params.required_text("password")
    )
    return {"username": user.username}


# -- locks -----------------------------------------------------------------------------------


def lock_summary(world: World, lock: Lock) -> Body:
    """A lock/list item (reference §5.1)."""
    return {
        "lockId": lock.id,
        "lockName": lock.name,
        "lockAlias": lock.alias,
        "lockMac": lock.mac,
        "electricQuantity": lock.battery,
        "featureValue": FEATURE_VALUE,
        "hasGateway": 0 if lock.gateway_id is None else 1,
        "lockData": lock_data(lock),
        "date": lock.init_date_ms,
        "noKeyPwd": no_key_pwd(lock),
        "passageMode": lock.passage.passage_mode,
        "timezoneRawOffset": lock.timezone_offset_ms,
        "keyboardPwdVersion": 4,
        "specialValue": 0,
        "electricQuantityUpdateDate": lock.battery_at_ms,
        "bindDate": lock.init_date_ms,
    }


def lock_detail_body(lock: Lock) -> Body:
    """lock/detail with every field of reference §5.2, typed as §19 item 13 says; for an
    "older" lock without `autoLockTime` and with 0 (unknown) for the sound, privacy, tamper and
    reset-button flags, as captures of older locks show (`scenario.LockConfig.payloads`)."""
    body: Body = {
        "lockId": lock.id,
        "lockName": lock.name,
        "lockAlias": lock.alias,
        "lockMac": lock.mac,
        "noKeyPwd": no_key_pwd(lock),
        "electricQuantity": lock.battery,
        "featureValue": FEATURE_VALUE,
        "timezoneRawOffset": lock.timezone_offset_ms,
        "modelNum": f"{lock.model}_PV53",
        "hardwareRevision": "1.6",
        "firmwareRevision": "6.0.6.210622",
        "autoLockTime": lock.auto_lock_seconds if lock.auto_lock_seconds > 0 else -1,
        "lockSound": 1,
        "soundVolume": 3,
        "hasGateway": 0 if lock.gateway_id is None else 1,
        "privacyLock": 2,
        "tamperAlert": 1,
        "resetButton": 1,
        "openDirection": 0,
        "passageMode": lock.passage.passage_mode,
        "passageModeAutoUnlock": lock.passage.auto_unlock,
        "date": lock.init_date_ms,
        "keyboardPwdVersion": 4,
        "isFrozen": 2,
        "deletePwd": "",
        "specialValue": 0,
    }
    if lock.older:
        del body["autoLockTime"]
        body.update(lockSound=UNKNOWN_FLAG, privacyLock=UNKNOWN_FLAG)
        body.update(tamperAlert=UNKNOWN_FLAG, resetButton=UNKNOWN_FLAG)
    return body


def no_key_pwd(lock: Lock) -> str:
    return f"{lock.id * 7_919 % 10**7:07d}"


def lock_data(lock: Lock) -> str:
    """An opaque stand-in for the SDK's lockData blob; clients never parse it."""
    digest = hashlib.sha256(f"lockData:{lock.id}:{lock.mac}".encode()).digest()
    return base64.b64encode(digest * 6).decode()


@signed_in_route("/v3/lock/list")
async def lock_list(sim: Simulation, params: Params, user: User) -> Body:
    alias_filter = (params.text("lockAlias") or "").lower()
    items = [
        lock_summary(sim.world, lock)
        for lock in sim.world.locks_of(user)
        if alias_filter in lock.alias.lower()
    ]
    return page_of(items, params.integer("pageNo", 1), params.integer("pageSize", 20), 1000)


@signed_in_route("/v3/lock/detail")
async def lock_detail(sim: Simulation, params: Params, user: User) -> Body:
    return lock_detail_body(sim.world.lock_of(user, params.integer("lockId")))


@signed_in_route("/v3/lock/unlock")
async def unlock(sim: Simulation, params: Params, user: User) -> Body:
    lock = sim.world.lock_of(user, params.integer("lockId"))
    if not lock.remote_unlock:
        raise ApiError(-4043)
    record = await sim.through_gateway(lock, lambda: sim.world.remote_unlock(lock, user))
    sim.record_made(lock, record)
    return SUCCESS


@signed_in_route("/v3/lock/lock")
async def lock_lock(sim: Simulation, params: Params, user: User) -> Body:
    lock = sim.world.lock_of(user, params.integer("lockId"))
    record = await sim.through_gateway(lock, lambda: sim.world.remote_lock(lock, user))
    sim.record_made(lock, record)
    return SUCCESS


@signed_in_route("/v3/lock/queryOpenState")
async def query_open_state(sim: Simulation, params: Params, user: User) -> Body:
    lock = sim.world.lock_of(user, params.integer("lockId"))
    state = await sim.through_gateway(lock, lambda: lock.open_state(sim.world.clock.now_ms()))
    return {"state": state}


@signed_in_route("/v3/lock/queryElectricQuantity")
async def query_electric_quantity(sim: Simulation, params: Params, user: User) -> Body:
    lock = sim.world.lock_of(user, params.integer("lockId"))
    battery = await sim.through_gateway(lock, lambda: lock.battery)
    return {"electricQuantity": battery}


@signed_in_route("/v3/lock/queryDate")
async def query_date(sim: Simulation, params: Params, user: User) -> Body:
    """The lock's own clock, drift included (reference §6)."""
    lock = sim.world.lock_of(user, params.integer("lockId"))
    return {"date": await sim.through_gateway(lock, lambda: lock_clock_ms(sim, lock))}


@signed_in_route("/v3/lock/updateDate")
async def update_date(sim: Simulation, params: Params, user: User) -> Body:
    """Sets the lock's clock to the server's; answers the lock's clock afterwards."""
    lock = sim.world.lock_of(user, params.integer("lockId"))

    def set_clock() -> int:
        lock.clock_drift_ms = 0
        return lock_clock_ms(sim, lock)

    return {"date": await sim.through_gateway(lock, set_clock)}


def lock_clock_ms(sim: Simulation, lock: Lock) -> int:
    return lock.clock_ms(sim.world.clock.now_ms())


@signed_in_route("/v3/lock/getPassageModeConfig")
async def get_passage_mode_config(sim: Simulation, params: Params, user: User) -> Body:
    """The legacy flat configuration (reference §5.4): startDate/endDate (minutes of the day)
    only when not all day. An "older" lock whose passage mode was never configured answers
    startDate/endDate null and no isAllDay/weekDays, as captures show."""
    lock = sim.world.lock_of(user, params.integer("lockId"))
    passage = lock.passage
    body: Body = {"passageMode": passage.passage_mode}
    if lock.older and not passage.configured:
        body.update(startDate=None, endDate=None, autoUnlock=passage.auto_unlock)
        return body
    if passage.is_all_day != 1:
        body.update(startDate=passage.start_minute, endDate=passage.end_minute)
    body.update(
        isAllDay=passage.is_all_day, weekDays=passage.week_days, autoUnlock=passage.auto_unlock
    )
    return body


@signed_in_route("/v3/lock/configPassageMode")
async def config_passage_mode(sim: Simulation, params: Params, user: User) -> Body:
    lock = sim.world.lock_of(user, params.integer("lockId"))
    passage_mode = params.integer("passageMode")
    is_all_day = params.integer("isAllDay", 2)
    auto_unlock = params.integer("autoUnlock", 2)
    if not {passage_mode, is_all_day, auto_unlock} <= {1, 2}:
        raise ApiError(-3)
    start_minute = params.integer("startDate", 0)
    end_minute = params.integer("endDate", 0)
    week_days = parse_week_days(params.text("weekDays") or "[]")

    def apply() -> None:
        passage = lock.passage
        passage.passage_mode, passage.is_all_day, passage.auto_unlock = (
            passage_mode,
            is_all_day,
            auto_unlock,
        )
        passage.start_minute, passage.end_minute = start_minute, end_minute
        passage.week_days = week_days
        passage.configured = True

    if params.integer("type", 1) == REMOTE:
        await sim.through_gateway(lock, apply)
    else:
        apply()
    return SUCCESS


def parse_week_days(text: str) -> list[int]:
    """`weekDays` is a JSON array string of 1 (Monday) .. 7 (Sunday); bad JSON is 80002."""
    try:
        days = json.loads(text)
    except json.JSONDecodeError:
        raise ApiError(80002) from None
    if not isinstance(days, list) or not all(isinstance(d, int) and 1 <= d <= 7 for d in days):
        raise ApiError(-3)
    return sorted(set(days))


# -- passcodes -------------------------------------------------------------------------------


@signed_in_route("/v3/keyboardPwd/get")
async def get_random_passcode(sim: Simulation, params: Params, user: User) -> Body:
    lock = sim.world.lock_of(user, params.integer("lockId"))
    passcode_type = params.integer("keyboardPwdType")
    if not 1 <= passcode_type <= 14:
        raise ApiError(-3)
    start_ms = params.integer("startDate")
    needs_end = passcode_type == 3 or passcode_type >= 5
    end_ms = params.integer("endDate") if needs_end else params.integer("endDate", 0)
    passcode = sim.world.get_random_passcode(
        lock,
        user,
        passcode_type=passcode_type,
        name=params.text("keyboardPwdName") or "",
        start_ms=start_ms,
        end_ms=end_ms,
    )
    return {"keyboardPwd": passcode.code, "keyboardPwdId": passcode.id}


@signed_in_route("/v3/keyboardPwd/add")
async def add_passcode(sim: Simulation, params: Params, user: User) -> Body:
    lock = sim.world.lock_of(user, params.integer("lockId"))
    code = params.required_text("keyboardPwd")
    passcode_type = params.integer("keyboardPwdType", 3)
    add_type = params.integer("addType", 1)
    if passcode_type not in (2, 3) or add_type not in (1, REMOTE):
        raise ApiError(-3)
    if passcode_type == 3:
        start_ms, end_ms = params.integer("startDate"), params.integer("endDate")
    else:
        start_ms, end_ms = params.integer("startDate", sim.world.clock.now_ms()), 0
    sim.world.check_new_custom_code(lock, code)

    def apply() -> Passcode:
        return sim.world.add_custom_passcode(
            lock,
            user,
            code=code,
            name=params.text("keyboardPwdName") or "",
            passcode_type=passcode_type,
            start_ms=start_ms,
            end_ms=end_ms,
            on_lock=add_type == REMOTE,
        )

    passcode = await sim.through_gateway(lock, apply) if add_type == REMOTE else apply()
    return {"keyboardPwdId": passcode.id}


@signed_in_route("/v3/keyboardPwd/change")
async def change_passcode(sim: Simulation, params: Params, user: User) -> Body:
    lock = sim.world.lock_of(user, params.integer("lockId"))
    passcode = sim.world.passcode_of(lock, params.integer("keyboardPwdId"))
    sim.world.check_used_on_lock(passcode)
    new_code = params.text("newKeyboardPwd") or None
    if new_code is not None and new_code != passcode.code:
        sim.world.check_new_custom_code(lock, new_code, replacing=passcode.id)
    on_lock = params.integer("changeType", 1) == REMOTE

    def apply() -> None:
        sim.world.change_passcode(
            passcode,
            new_code=new_code,
            name=params.text("keyboardPwdName"),
            start_ms=params.optional_int("startDate"),
            end_ms=params.optional_int("endDate"),
            on_lock=on_lock,
        )

    if on_lock:
        await sim.through_gateway(lock, apply)
    else:
        apply()
    return SUCCESS


@signed_in_route("/v3/keyboardPwd/delete")
async def delete_passcode(sim: Simulation, params: Params, user: User) -> Body:
    lock = sim.world.lock_of(user, params.integer("lockId"))
    passcode = sim.world.passcode_of(lock, params.integer("keyboardPwdId"))
    on_lock = params.integer("deleteType", 1) == REMOTE
    if on_lock:
        sim.world.check_used_on_lock(passcode)

    def apply() -> None:
        sim.world.delete_passcode(passcode, on_lock=on_lock)

    if on_lock:
        await sim.through_gateway(lock, apply)
    else:
        apply()
    return SUCCESS


def passcode_item(passcode: Passcode, now_ms: int) -> Body:
    expired = passcode.end_ms != 0 and passcode.end_ms <= now_ms
    return {
        "keyboardPwdId": passcode.id,
        "lockId": passcode.lock_id,
        "keyboardPwd": passcode.code,
        "keyboardPwdName": passcode.name,
        "keyboardPwdType": passcode.type,
        "startDate": passcode.start_ms,
        "endDate": passcode.end_ms,
        "sendDate": passcode.send_date_ms,
        "isCustom": 1 if passcode.is_custom else 0,
        "senderUsername": passcode.sender,
        "keyboardPwdVersion": 4,
        "status": 2 if expired else 1,
    }


@signed_in_route("/v3/lock/listKeyboardPwd")
async def list_passcodes(sim: Simulation, params: Params, user: User) -> Body:
    lock = sim.world.lock_of(user, params.integer("lockId"))
    search = params.text("searchStr") or ""
    passcodes = [
        passcode
        for passcode in sim.world.passcodes_in_cloud(lock)
        if not search or search.lower() in passcode.name.lower() or search == passcode.code
    ]
    order_by = params.integer("orderBy", 1)
    if order_by == 1:
        passcodes.sort(key=lambda passcode: passcode.id, reverse=True)
    else:
        passcodes.sort(key=lambda passcode: passcode.name.lower(), reverse=order_by == 2)
    now_ms = sim.world.clock.now_ms()
    items = [passcode_item(passcode, now_ms) for passcode in passcodes]
    return page_of(items, params.integer("pageNo", 1), params.integer("pageSize", 20), 200)


# -- records, gateways, cards and fingerprints -----------------------------------------------


@signed_in_route("/v3/lockRecord/list")
async def list_records(sim: Simulation, params: Params, user: User) -> Body:
    lock = sim.world.lock_of(user, params.integer("lockId"))
    records = sim.world.records_of(
        lock, params.optional_int("startDate"), params.optional_int("endDate")
    )
    items = [listed_record(lock, record) for record in records]
    return page_of(items, params.integer("pageNo", 1), params.integer("pageSize", 20), 200)


def gateway_item(world: World, gateway: Gateway) -> Body:
    return {
        "gatewayId": gateway.id,
        "gatewayMac": gateway.mac,
        "gatewayName": gateway.name,
        "gatewayVersion": gateway.version,
        "networkName": "SimulatedNet",
        "lockNum": len(world.locks_behind(gateway)),
        "isOnline": 1 if gateway.online else 0,
    }


@signed_in_route("/v3/gateway/list")
async def list_gateways(sim: Simulation, params: Params, user: User) -> Body:
    items = [gateway_item(sim.world, gateway) for gateway in sim.world.gateways_of(user)]
    return page_of(items, params.integer("pageNo", 1), params.integer("pageSize", 20), 200)


@signed_in_route("/v3/gateway/listByLock")
async def list_gateways_by_lock(sim: Simulation, params: Params, user: User) -> Body:
    gateway = sim.world.gateway_of(sim.world.lock_of(user, params.integer("lockId")))
    if gateway is None:
        return {"list": []}
    item: Body = {
        "gatewayId": gateway.id,
        "gatewayMac": gateway.mac,
        "gatewayName": gateway.name,
        "rssi": -62,
        "rssiUpdateDate": sim.world.clock.now_ms(),
    }
    return {"list": [item]}


async def _empty_page(sim: Simulation, params: Params, user: User) -> Body:
    """Cards and fingerprints are not simulated: the lock exists, the list is empty."""
    sim.world.lock_of(user, params.integer("lockId"))
    return page_of([], params.integer("pageNo", 1), params.integer("pageSize", 20), 200)


signed_in_route("/v3/identityCard/list")(_empty_page)
signed_in_route("/v3/fingerprint/list")(_empty_page)
