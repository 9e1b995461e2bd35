"""The simulated TTLock world: clock, apps, users, tokens, gateways, locks, passcodes, records,
call counts and the fault queue. Pure Python without HTTP, so every rule is testable directly;
`api` and `control` translate requests into calls on one `World`.
"""

import hashlib
import random
import secrets
import time
from collections import Counter, deque
from dataclasses import dataclass, field, replace

from ttlock_bridge.simulator import passcode_rules
from ttlock_bridge.simulator.errors import ApiError, ControlError
from ttlock_bridge.simulator.scenario import Payloads, Scenario

DATE_TOLERANCE_MS = 5 * 60 * 1000
REFRESH_TOKEN_LIFETIME_MS = 10 * 365 * 24 * 3_600_000
ONE_TIME_CODE_VALIDITY_MS = 6 * 3_600_000

# Record types (reference §13.3 cloud, §13.4 lock). Remote lock has no raw "gateway lock" type;
# we use 52 "locked by app" / 11 "lock by app".
RECORD_REMOTE_UNLOCK = (28, 12)
RECORD_REMOTE_LOCK = (52, 11)
RECORD_PASSCODE_OK = (4, 4)
RECORD_PASSCODE_UNKNOWN = (7, 4)
RECORD_PASSCODE_OUT_OF_WINDOW = (11, 4)


class SimulatedClock:
    """Simulated epoch milliseconds that advance with real time from a settable base."""

    def __init__(self, start_ms: int | None) -> None:
        self._base_ms = start_ms if start_ms is not None else _real_now_ms()
        self._base_monotonic = time.monotonic()

    def now_ms(self) -> int:
        return self._base_ms + int((time.monotonic() - self._base_monotonic) * 1000)

    def set(self, now_ms: int) -> None:
        self._base_ms = now_ms
        self._base_monotonic = time.monotonic()

    def advance(self, delta_ms: int) -> None:
        self._base_ms += delta_ms


@dataclass
class App:
    client_id: str
    client_secret: str
    callback_url: str | None
    user_prefix: str


@dataclass
class User:
    username: str
    password_md5: str
    uid: int


@dataclass
class Token:
    access_token: str
    refresh_token: str
    user: User
    app: App
    expires_at_ms: int
    refresh_expires_at_ms: int
    revoked: bool = False


@dataclass
class Gateway:
    id: int
    mac: str
    online: bool
    version: int
    admin: str

    @property
    def name(self) -> str:
        return f"G{self.version}_{mac_suffix(self.mac)}"


@dataclass
class PassageMode:
    """Legacy flat passage-mode configuration (reference §5.4)."""

    passage_mode: int = 2
    start_minute: int = 0
    end_minute: int = 0
    is_all_day: int = 2
    week_days: list[int] = field(default_factory=list)
    auto_unlock: int = 2
    configured: bool = False  # configPassageMode was called at least once


@dataclass
class Lock:
    id: int
    alias: str
    mac: str
    model: str
    gateway_id: int | None
    remote_unlock: bool
    battery: int
    timezone_offset_ms: int
    auto_lock_seconds: int
    admin: str
    init_date_ms: int
    battery_at_ms: int  # when the app last uploaded the battery level (electricQuantityUpdateDate)
    clock_drift_ms: int = 0  # how far the lock's own clock is ahead of the server's
    payloads: Payloads = "current"  # the shape of the cloud's answers (scenario.LockConfig)
    passcode_key_data: bool = True  # the cloud holds its random-passcode key data (-1007 if not)
    passage: PassageMode = field(default_factory=PassageMode)
    unlocked_at_ms: int | None = None
    command_in_flight: bool = False
    busy_until_monotonic: float = 0.0

    @property
    def name(self) -> str:
        return f"{self.model}_{mac_suffix(self.mac)}"

    @property
    def older(self) -> bool:
        """Whether the cloud answers about this lock as about an older one (payloads "older")."""
        return self.payloads == "older"

    def clock_ms(self, server_now_ms: int) -> int:
        """The lock's own clock (epoch ms) while the cloud's reads `server_now_ms`."""
        return server_now_ms + self.clock_drift_ms

    def open_state(self, now_ms: int) -> int:
        """0 locked, 1 unlocked; an unlocked lock relocks after its auto-lock time."""
        if self.unlocked_at_ms is None:
            return 0
        if self.auto_lock_seconds > 0 and now_ms >= (
            self.unlocked_at_ms + self.auto_lock_seconds * 1000
        ):
            return 0
        return 1


@dataclass(frozen=True)
class LockCopy:
    """What the lock itself holds for a passcode; may differ from the cloud record."""

    code: str
    start_ms: int
    end_ms: int
    one_time: bool = False
    use_by_ms: int | None = None
    """A random code not used before this moment is void on the lock (the 24 h first-use rule,
    reference §8.1, `passcode_rules.first_use_deadline`); None: no such rule."""
    used: bool = False
    """Whether the code has opened the lock at least once."""

    def valid_at(self, now_ms: int) -> bool:
        """Inside its window (start included, end excluded; end 0 = none) and not void."""
        in_window = self.start_ms <= now_ms and (self.end_ms == 0 or now_ms < self.end_ms)
        return in_window and not self.void_at(now_ms)

    def void_at(self, now_ms: int) -> bool:
        """Never used before its first-use deadline: the lock refuses it from then on (§8.1)."""
        return self.use_by_ms is not None and not self.used and now_ms >= self.use_by_ms


@dataclass
class Passcode:
    id: int
    lock_id: int
    code: str
    name: str
    type: int
    start_ms: int
    end_ms: int
    send_date_ms: int
    is_custom: bool
    sender: str
    in_cloud: bool = True
    on_lock: LockCopy | None = None


@dataclass(frozen=True)
class Record:
    record_id: int
    lock_id: int
    record_type_from_lock: int
    record_type: int
    success: int
    username: str | None
    keyboard_pwd: str
    lock_date_ms: int
    server_date_ms: int


@dataclass
class Fault:
    remaining: int
    errcode: int | None = None
    delay_ms: int = 0
    http_status: int | None = None
    drop_after_apply: bool = False


def mac_suffix(mac: str) -> str:
    """`<last three MAC bytes reversed, lowercase>`: ED:AE:90:63:CE:55 -> 55ce63 (§5.2)."""
    return "".join(reversed(mac.split(":")[-3:])).lower()


def is_md5_hex(value: str) -> bool:
    return len(value) == 32 and all(char in "0123456789abcdef" for char in value.lower())


def md5_hex(plain: str) -> str:
    return hashlib.md5(plain.encode()).hexdigest()  # noqa: S324 - the TTLock protocol uses MD5


def _real_now_ms() -> int:
    return int(time.time() * 1000)


class World:
    """Everything the simulated cloud knows, with the operations the API and control routes use."""

    def __init__(self, scenario: Scenario, *, latency_ms: int | None = None) -> None:
        start = scenario.clock.start
        self.clock = SimulatedClock(int(start.timestamp() * 1000) if start else None)
        settings = scenario.settings
        self.latency_ms = settings.latency_ms if latency_ms is None else latency_ms
        self.transient_error_rate = settings.transient_error_rate
        self.token_expires_in = settings.token_expires_in
        self.busy_window_ms = settings.busy_window_ms
        self.reuse_tokens = settings.reuse_tokens
        self._random = random.Random(0)  # noqa: S311 - deterministic simulation, not security

        self.apps = {app.client_id: App(**app.model_dump()) for app in scenario.apps}
        self.users: dict[str, User] = {}
        for user in scenario.users:
            self._add_user(user.username, md5_hex(user.password))
        first_user = scenario.users[0].username
        self.gateways = {
            gateway.id: Gateway(
                id=gateway.id,
                mac=gateway.mac.upper(),
                online=gateway.online,
                version=gateway.version,
                admin=gateway.admin or first_user,
            )
            for gateway in scenario.gateways
        }
        start_ms = self.clock.now_ms()
        init_date_ms = start_ms - 30 * 24 * 3_600_000
        self.locks = {
            lock.id: Lock(
                id=lock.id,
                alias=lock.alias,
                mac=lock.mac.upper(),
                model=lock.model,
                gateway_id=lock.gateway,
                remote_unlock=lock.remote_unlock,
                battery=lock.battery,
                timezone_offset_ms=lock.timezone_offset_ms,
                auto_lock_seconds=lock.auto_lock_seconds,
                admin=lock.admin or first_user,
                init_date_ms=init_date_ms,
                battery_at_ms=start_ms - lock.battery_read_ms_ago,
                clock_drift_ms=lock.clock_drift_ms,
                payloads=lock.payloads,
                passcode_key_data=lock.passcode_key_data,
            )
            for lock in scenario.locks
        }
        self.tokens: dict[str, Token] = {}
        self.refresh_tokens: dict[str, Token] = {}
        self.latest_app_of_user: dict[str, App] = {}
        self.passcodes: dict[int, Passcode] = {}
        self.deleted_period_codes: set[tuple[int, int, int]] = set()
        self.records: list[Record] = []
        self.calls: Counter[str] = Counter()
        self.token_grants: Counter[str] = Counter({"password": 0, "refresh_token": 0})
        self.callbacks_delivered = 0
        self.callbacks_failed = 0
        self.faults: dict[str, deque[Fault]] = {}
        self._next_passcode_id = 10_000_001
        self._next_record_id = 70_000_000_001

    # -- apps, users and tokens ------------------------------------------------------------

    def _add_user(self, username: str, password_md5: str) -> User:
        user = User(username=username, password_md5=password_md5, uid=2_340 + len(self.users))
        self.users[username] = user
        return user

    def authenticate_app(self, client_id: str | None, client_secret: str | None) -> App:
        app = self.apps.get(client_id or "")
        if app is None:
            raise ApiError(10000)
        if client_secret != app.client_secret:
            raise ApiError(10001)
        return app

    def check_date(self, date: str | None) -> None:
        """Every /v3 call carries `date` (epoch ms) within 5 minutes of the cloud's clock."""
        try:
            skew = abs(int(date or "") - self.clock.now_ms())
        except ValueError:
            raise ApiError(80000) from None
        if skew > DATE_TOLERANCE_MS:
            raise ApiError(80000)

    def password_grant(self, app: App, username: str, password_md5: str) -> Token:
        if not is_md5_hex(password_md5):
            raise ApiError(30005)
        user = self.users.get(username)
        if user is None or user.password_md5 != password_md5.lower():
            raise ApiError(10007)
        if self.reuse_tokens:
            valid = self._valid_token_of(user, app)
            if valid is not None:
                self.latest_app_of_user[user.username] = app
                return valid
        return self._issue_token(user, app)

    def _valid_token_of(self, user: User, app: App) -> Token | None:
        """The user's access token for this app that lives longest, if one is still valid."""
        now_ms = self.clock.now_ms()
        valid = [
            token
            for token in self.tokens.values()
            if token.user is user
            and token.app is app
            and not token.revoked
            and token.expires_at_ms > now_ms
        ]
        return max(valid, key=lambda token: token.expires_at_ms, default=None)

    def refresh_grant(self, app: App, refresh_token: str) -> Token:
        old = self.refresh_tokens.get(refresh_token)
        now_ms = self.clock.now_ms()
        if old is None or old.app is not app or now_ms >= old.refresh_expires_at_ms:
            raise ApiError(10011)
        old.revoked = True
        del self.refresh_tokens[refresh_token]
        return self._issue_token(old.user, app)

    def _issue_token(self, user: User, app: App) -> Token:
        now_ms = self.clock.now_ms()
        token = Token(
            access_token=secrets.token_hex(16),
            refresh_token=secrets.token_hex(16),
            user=user,
            app=app,
            expires_at_ms=now_ms + self.token_expires_in * 1000,
            refresh_expires_at_ms=now_ms + REFRESH_TOKEN_LIFETIME_MS,
        )
        self.tokens[token.access_token] = token
        self.refresh_tokens[token.refresh_token] = token
        self.latest_app_of_user[user.username] = app
        return token

    def user_of_token(self, app: App, access_token: str | None) -> User:
        token = self.tokens.get(access_token or "")
        if token is None or token.app is not app:
            raise ApiError(10003)
        if token.revoked or self.clock.now_ms() >= token.expires_at_ms:
            raise ApiError(10004)
        return token.user

    def register_user(self, app: App, name: str, password_md5: str) -> User:
        if not name.isascii() or not name.isalnum():
            raise ApiError(30002)
        if not is_md5_hex(password_md5):
            raise ApiError(30005)
        username = f"{app.user_prefix}_{name}"
        if username in self.users:
            raise ApiError(30003)
        return self._add_user(username, password_md5.lower())

    def expire_all_access_tokens(self) -> None:
        now_ms = self.clock.now_ms()
        for token in self.tokens.values():
            token.expires_at_ms = min(token.expires_at_ms, now_ms)

    def revoke_all_refresh_tokens(self) -> None:
        self.refresh_tokens.clear()

    def set_password(self, username: str, plain_password: str) -> None:
        self._user(username).password_md5 = md5_hex(plain_password)

    # -- locks and gateways ----------------------------------------------------------------

    def _user(self, username: str) -> User:
        try:
            return self.users[username]
        except KeyError:
            raise ControlError(f"no user {username!r}") from None

    def lock_of(self, user: User, lock_id: int) -> Lock:
        lock = self.locks.get(lock_id)
        if lock is None:
            raise ApiError(-1003)
        if lock.admin != user.username:
            raise ApiError(20002)
        return lock

    def locks_of(self, user: User) -> list[Lock]:
        return [lock for lock in self.locks.values() if lock.admin == user.username]

    def gateways_of(self, user: User) -> list[Gateway]:
        return [gateway for gateway in self.gateways.values() if gateway.admin == user.username]

    def gateway_of(self, lock: Lock) -> Gateway | None:
        return None if lock.gateway_id is None else self.gateways[lock.gateway_id]

    def locks_behind(self, gateway: Gateway) -> list[Lock]:
        return [lock for lock in self.locks.values() if lock.gateway_id == gateway.id]

    def control_lock(self, lock_id: int) -> Lock:
        try:
            return self.locks[lock_id]
        except KeyError:
            raise ControlError(f"no lock {lock_id}") from None

    def control_gateway(self, gateway_id: int) -> Gateway:
        try:
            return self.gateways[gateway_id]
        except KeyError:
            raise ControlError(f"no gateway {gateway_id}") from None

    # -- remote commands -------------------------------------------------------------------

    def claim_gateway(self, lock: Lock) -> None:
        """Start a remote command: the lock needs an online, idle gateway (-2012/-3002/-3003)."""
        gateway = self.gateway_of(lock)
        if gateway is None:
            raise ApiError(-2012)
        if not gateway.online:
            raise ApiError(-3002)
        if lock.command_in_flight or time.monotonic() < lock.busy_until_monotonic:
            raise ApiError(-3003)
        lock.command_in_flight = True

    def release_gateway(self, lock: Lock) -> None:
        lock.command_in_flight = False
        lock.busy_until_monotonic = time.monotonic() + self.busy_window_ms / 1000

    def roll_transient_failure(self) -> None:
        """With the configured probability the gateway fails to reach the lock (errcode 1)."""
        if self._random.random() < self.transient_error_rate:
            raise ApiError(1)

    def remote_unlock(self, lock: Lock, user: User) -> Record:
        lock.unlocked_at_ms = self.clock.now_ms()
        return self.add_record(lock, RECORD_REMOTE_UNLOCK, success=True, username=user.username)

    def remote_lock(self, lock: Lock, user: User) -> Record:
        lock.unlocked_at_ms = None
        return self.add_record(lock, RECORD_REMOTE_LOCK, success=True, username=user.username)

    # -- passcodes -------------------------------------------------------------------------

    def passcodes_in_cloud(self, lock: Lock) -> list[Passcode]:
        return [p for p in self.passcodes.values() if p.lock_id == lock.id and p.in_cloud]

    def passcode_of(self, lock: Lock, passcode_id: int) -> Passcode:
        passcode = self.passcodes.get(passcode_id)
        if passcode is None or passcode.lock_id != lock.id or not passcode.in_cloud:
            raise ApiError(-2009)
        return passcode

    def check_new_custom_code(self, lock: Lock, code: str, *, replacing: int | None = None) -> None:
        """Raise -3006/-2032/-3007/-3009 for a custom code that cannot be stored on `lock`."""
        passcode_rules.check_custom_code(code)
        others = [p for p in self.passcodes_in_cloud(lock) if p.id != replacing]
        if any(p.code == code for p in others):
            raise ApiError(-3007)
        custom_count = sum(1 for p in others if p.is_custom)
        if replacing is None and custom_count >= passcode_rules.MAX_CUSTOM_PER_LOCK:
            raise ApiError(-3009)

    def add_custom_passcode(
        self,
        lock: Lock,
        user: User,
        *,
        code: str,
        name: str,
        passcode_type: int,
        start_ms: int,
        end_ms: int,
        on_lock: bool,
    ) -> Passcode:
        self.check_new_custom_code(lock, code)
        passcode = self._new_passcode(
            lock,
            user=user,
            code=code,
            name=name,
            passcode_type=passcode_type,
            start_ms=start_ms,
            end_ms=end_ms,
        )
        passcode.is_custom = True
        if on_lock:
            passcode.on_lock = LockCopy(code, start_ms, end_ms)
        return passcode

    def get_random_passcode(
        self, lock: Lock, user: User, *, passcode_type: int, name: str, start_ms: int, end_ms: int
    ) -> Passcode:
        """keyboardPwd/get: the same (lock, type, start hour, end hour) gives the same code.

        Reference §8.1: the code comes from key data the lock shares with the cloud (-1007 when
        the cloud has none), so no gateway is needed and the lock holds the code from the moment
        it is issued, bound by the one-time 6 hours or the 24 h first-use rule.
        """
        if not lock.passcode_key_data:
            raise ApiError(-1007)
        start_ms = passcode_rules.truncate_to_hour(start_ms)
        end_ms = passcode_rules.truncate_to_hour(end_ms)
        if passcode_type == 1:
            end_ms = start_ms + ONE_TIME_CODE_VALIDITY_MS
        elif passcode_type == 2:
            end_ms = 0
        if passcode_type == 3 and (lock.id, start_ms, end_ms) in self.deleted_period_codes:
            raise ApiError(-1026)
        for salt in range(1000):
            code = passcode_rules.random_code(lock.id, passcode_type, start_ms, end_ms, salt)
            existing = [p for p in self.passcodes_in_cloud(lock) if p.code == code]
            if not existing:
                break
            same = existing[0]
            if (same.type, same.start_ms, same.end_ms, same.is_custom) == (
                passcode_type,
                start_ms,
                end_ms,
                False,
            ):
                return same
        passcode = self._new_passcode(
            lock,
            user=user,
            code=code,
            name=name,
            passcode_type=passcode_type,
            start_ms=start_ms,
            end_ms=end_ms,
        )
        passcode.on_lock = LockCopy(
            code,
            start_ms,
            end_ms,
            one_time=passcode_type == 1,
            use_by_ms=passcode_rules.first_use_deadline(passcode_type, start_ms),
        )
        return passcode

    def _new_passcode(
        self,
        lock: Lock,
        *,
        user: User,
        code: str,
        name: str,
        passcode_type: int,
        start_ms: int,
        end_ms: int,
    ) -> Passcode:
        passcode = Passcode(
            id=self._next_passcode_id,
            lock_id=lock.id,
            code=code,
            name=name,
            type=passcode_type,
            start_ms=start_ms,
            end_ms=end_ms,
            send_date_ms=self.clock.now_ms(),
            is_custom=False,
            sender=user.username,
        )
        self._next_passcode_id += 1
        self.passcodes[passcode.id] = passcode
        return passcode

    def check_used_on_lock(self, passcode: Passcode) -> None:
        """-3008 for a random code the lock holds but that never opened it: such a code can be
        neither changed nor deleted through the gateway (reference §4.4, §8.1, §8.3). A used
        one-time code is no longer on the lock, so it does not count as never used; custom codes
        are never refused so."""
        copy = passcode.on_lock
        if not passcode.is_custom and copy is not None and not copy.used:
            raise ApiError(-3008)

    def change_passcode(
        self,
        passcode: Passcode,
        *,
        new_code: str | None,
        name: str | None,
        start_ms: int | None,
        end_ms: int | None,
        on_lock: bool,
    ) -> None:
        """Change the cloud record; with `on_lock` (changeType 2) the lock gets the same values."""
        if new_code is not None and new_code != passcode.code:
            self.check_new_custom_code(
                self.locks[passcode.lock_id], new_code, replacing=passcode.id
            )
            passcode.code = new_code
        if name is not None:
            passcode.name = name
        if start_ms is not None:
            passcode.start_ms = start_ms
        if end_ms is not None:
            passcode.end_ms = end_ms
        if on_lock:
            passcode.on_lock = self._changed_copy(passcode)

    @staticmethod
    def _changed_copy(passcode: Passcode) -> LockCopy:
        """The lock's copy after a change through the gateway: the cloud record's code and
        window; whether it is one-time, its first-use deadline and its use are kept."""
        kept = passcode.on_lock or LockCopy(passcode.code, passcode.start_ms, passcode.end_ms)
        return replace(kept, code=passcode.code, start_ms=passcode.start_ms, end_ms=passcode.end_ms)

    def delete_passcode(self, passcode: Passcode, *, on_lock: bool) -> None:
        """Remove the cloud record; with `on_lock` (deleteType 2) the lock forgets it too."""
        passcode.in_cloud = False
        if on_lock:
            passcode.on_lock = None
        if passcode.on_lock is None:
            del self.passcodes[passcode.id]
        if passcode.type == 3 and not passcode.is_custom:
            self.deleted_period_codes.add((passcode.lock_id, passcode.start_ms, passcode.end_ms))

    def type_on_keypad(self, lock: Lock, code: str) -> Record:
        """A person types `code`: it opens only if the lock holds it and it is valid right now."""
        now_ms = self.clock.now_ms()
        matches = [
            p
            for p in self.passcodes.values()
            if p.lock_id == lock.id and p.on_lock is not None and p.on_lock.code == code
        ]
        valid = [p for p in matches if p.on_lock is not None and p.on_lock.valid_at(now_ms)]
        if not valid:
            kind = RECORD_PASSCODE_OUT_OF_WINDOW if matches else RECORD_PASSCODE_UNKNOWN
            return self.add_record(lock, kind, success=False, username=None, keyboard_pwd=code)
        used = valid[0]
        lock.unlocked_at_ms = now_ms
        self._mark_used(used)
        return self.add_record(
            lock, RECORD_PASSCODE_OK, success=True, username=used.name, keyboard_pwd=code
        )

    def _mark_used(self, passcode: Passcode) -> None:
        """The code just opened the lock: a one-time code is gone from it, any other is now
        used (so the first-use rule no longer applies and -3008 no longer does, §8.1)."""
        copy = passcode.on_lock
        if copy is None:
            return
        if not copy.one_time:
            passcode.on_lock = replace(copy, used=True)
            return
        passcode.on_lock = None
        if not passcode.in_cloud:
            del self.passcodes[passcode.id]

    # -- records, calls and faults ---------------------------------------------------------

    def add_record(
        self,
        lock: Lock,
        types: tuple[int, int],
        *,
        success: bool,
        username: str | None,
        keyboard_pwd: str = "",
    ) -> Record:
        """A record of what `lock` just did: `lockDate` by the lock's own clock (its drift
        included), whole seconds; `serverDate` the cloud's milliseconds. A lock whose clock is a
        minute ahead makes records whose serverDate is about a minute before their lockDate
        (reference §16, §17)."""
        now_ms = self.clock.now_ms()
        lock_now_ms = lock.clock_ms(now_ms)
        record = Record(
            record_id=self._next_record_id,
            lock_id=lock.id,
            record_type_from_lock=types[0],
            record_type=types[1],
            success=1 if success else 0,
            username=username,
            keyboard_pwd=keyboard_pwd,
            lock_date_ms=lock_now_ms - lock_now_ms % 1000,  # the lock's clock, whole seconds
            server_date_ms=now_ms,
        )
        self._next_record_id += 1
        self.records.append(record)
        return record

    def records_of(self, lock: Lock, start_ms: int | None, end_ms: int | None) -> list[Record]:
        """Newest first, filtered on lockDate (reference §13.1)."""
        return [
            record
            for record in reversed(self.records)
            if record.lock_id == lock.id
            and (start_ms is None or record.lock_date_ms >= start_ms)
            and (end_ms is None or record.lock_date_ms <= end_ms)
        ]

    def callback_url_for(self, lock: Lock) -> str | None:
        """Callbacks go to the app through which the lock's admin last obtained a token (§16)."""
        app = self.latest_app_of_user.get(lock.admin)
        return None if app is None else app.callback_url

    def count_call(self, path: str) -> None:
        self.calls[path] += 1

    def add_fault(self, path: str, fault: Fault) -> None:
        self.faults.setdefault(path, deque()).append(fault)

    def take_fault(self, path: str) -> Fault | None:
        queue = self.faults.get(path)
        if not queue:
            return None
        fault = queue[0]
        fault.remaining -= 1
        if fault.remaining <= 0:
            queue.popleft()
        return fault
