"""Every way a TTLock call can fail, as one exception hierarchy keyed by TTLock's `errcode`.

The catalogue below is the single place that knows, for each errcode, which kind of failure it
is, what a person should do about it, and whether trying again can help: at once (`transient`,
the client's own retries), later (`retry_later`, the reconciler's background retries), or never
until a person acts (neither: a placement fails at once with the guidance). Code above the client
catches the classes; people read `guidance`.
"""

from collections.abc import Mapping
from dataclasses import dataclass, field

GENERIC_GUIDANCE = (
    "TTLock refused the request: look the errcode up in the TTLock error table "
    "(docs/cloud-client.md links it) or report it with the lock id"
)


class TTLockError(Exception):
    """A failed TTLock call: `errcode` and `message` as TTLock sent them, `guidance` for a person.

    `transient` says whether the same call may succeed if simply repeated within seconds;
    `retry_later` whether it may succeed minutes or hours later without anyone acting (a gateway
    coming back online); when both are false, only a person can fix it.
    `errcode` is None for failures that never got a TTLock answer (network, HTTP 5xx).
    """

    def __init__(
        self,
        errcode: int | None,
        message: str,
        guidance: str = GENERIC_GUIDANCE,
        *,
        transient: bool = False,
        retry_later: bool | None = None,
    ) -> None:
        self.errcode = errcode
        self.message = message
        self.guidance = guidance
        self.transient = transient
        self.retry_later = transient if retry_later is None else retry_later
        super().__init__(str(self))

    def __str__(self) -> str:
        origin = f"TTLock errcode {self.errcode}" if self.errcode is not None else "no answer"
        return f"{self.guidance} ({origin}: {self.message})"


class AuthError(TTLockError):
    """Credentials or tokens were refused (wrong client, wrong password, expired token...)."""


class ReauthenticationNeeded(AuthError):
    """Refresh and password login both failed; the client refuses to call TTLock until given
    new credentials, so a broken password cannot turn into a storm of failing logins."""


class PermissionDenied(TTLockError):
    """The account is known but may not do this to this lock (not its admin, no right)."""


class LockError(TTLockError):
    """The lock itself refuses: missing, frozen, feature switched off, storage full."""


class GatewayError(TTLockError):
    """The command could not travel gateway -> lock: no gateway, offline, busy, out of range."""


class PasscodeError(TTLockError):
    """A passcode request was refused: duplicate, bad length, too simple, no space..."""


class QuotaError(TTLockError):
    """The developer account has used up its TTLock API call allowance."""


class ClockError(TTLockError):
    """The `date` parameter was more than five minutes away from TTLock's clock (80000).

    `server_time_ms` is TTLock's clock as its answer's `Date` header told, when it did.
    """

    server_time_ms: int | None = None


class InvalidRequestError(TTLockError):
    """TTLock rejected the request's content (a parameter, a user name); fix the input."""


class TransportError(TTLockError):
    """No usable TTLock answer: network failure, timeout, HTTP error status or non-JSON body.

    Always worth a later retry: the outcome is unknown, and the network or TTLock may recover.
    """

    def __init__(
        self,
        errcode: int | None,
        message: str,
        guidance: str = GENERIC_GUIDANCE,
        *,
        transient: bool = False,
    ) -> None:
        super().__init__(errcode, message, guidance, transient=transient, retry_later=True)


@dataclass(frozen=True)
class CatalogueEntry:
    """One errcode (reference §4): its class, what a person should do (`guidance_for`, by API
    path when the advice depends on the command sent, e.g. -4043 per §4.2 and §6), and whether
    retrying helps now (`transient`) or later (`retry_later`)."""

    kind: type[TTLockError]
    guidance: str
    transient: bool = False
    retry_later: bool = False
    guidance_for: Mapping[str, str] = field(default_factory=dict)


CATALOGUE: dict[int, CatalogueEntry] = {
    # Account, application and token.
    10000: CatalogueEntry(
        AuthError,
        "TTLock does not know this clientId: check TTLOCK_CLIENT_ID against the application "
        "in the TTLock developer portal, and that the region (eu, global, cn) is right",
    ),
    10001: CatalogueEntry(
        AuthError,
        "The clientId and clientSecret do not belong together: copy TTLOCK_CLIENT_SECRET again "
        "from the TTLock developer portal",
    ),
    10003: CatalogueEntry(
        AuthError, "The access token is unknown to TTLock: log in again (ttlock-bridge login)"
    ),
    10004: CatalogueEntry(
        AuthError,
        "The access token has expired or was revoked: log in again (ttlock-bridge login)",
    ),
    10007: CatalogueEntry(
        AuthError,
        "Wrong TTLock username or password: use the TTLock app account that owns the locks "
        "(or the prefixed user from register-user), not the developer-portal account",
    ),
    10011: CatalogueEntry(
        AuthError, "The refresh token was refused: log in again with the account password"
    ),
    30005: CatalogueEntry(
        AuthError, "TTLock wants the password MD5-hashed: this is a bug in the client, report it"
    ),
    30008: CatalogueEntry(
        AuthError,
        "This account lives in another TTLock region: use --region cn for mainland China "
        "accounts, eu otherwise (or set TTLOCK_API_BASE)",
    ),
    # Permissions.
    20002: CatalogueEntry(
        PermissionDenied,
        "This account is not the lock's admin: log in with the account that added the lock",
    ),
    -2018: CatalogueEntry(
        PermissionDenied,
        "Permission denied: only the lock's admin (or an authorised admin) may do this",
    ),
    -3046: CatalogueEntry(
        PermissionDenied,
        "This eKey may not unlock remotely: ask the lock's admin to allow remote unlock",
    ),
    30001: CatalogueEntry(
        PermissionDenied, "The application may not use this API: check it in the developer portal"
    ),
    # The lock.
    -1003: CatalogueEntry(
        LockError, "TTLock does not know this lock: check the lockId (ttlock-bridge locks)"
    ),
    -2025: CatalogueEntry(
        LockError, "The lock is frozen: unfreeze it in the TTLock app before operating it"
    ),
    -4043: CatalogueEntry(
        LockError,
        "This lock does not support this function (TTLock answered 'function not supported'): "
        "check the lock's model and settings in the TTLock app",
        guidance_for={
            "/v3/lock/unlock": "Remote unlock is switched off for this lock (or the lock lacks "
            "the feature): turn it on in the TTLock app under the lock's settings",
            "/v3/lock/lock": "This lock cannot be locked remotely (many padlocks and some "
            "cylinders only lock by hand or by auto-lock): lock it at the door, or set an "
            "auto-lock time in the TTLock app",
            "/v3/lock/configPassageMode": "This lock has no passage mode: leave it off for "
            "this door",
            "/v3/keyboardPwd/add": "This lock does not accept custom passcodes through the "
            "gateway: issue the code with the TTLock app next to the lock, or use another door",
            "/v3/keyboardPwd/change": "This lock does not accept passcode changes through the "
            "gateway: cancel the grant and issue a new one",
            "/v3/keyboardPwd/delete": "This lock does not accept passcode deletion through the "
            "gateway: delete the passcode with the TTLock app next to the lock",
        },
    ),
    -4056: CatalogueEntry(
        LockError, "The lock's memory is full: delete unused passcodes, cards or fingerprints"
    ),
    -4082: CatalogueEntry(LockError, "The auto-lock period is not valid for this lock"),
    # Gateway and the radio link to the lock.
    1: CatalogueEntry(
        GatewayError,
        "TTLock could not complete the request; it is tried again. For a command through a "
        "gateway this usually means the lock was asleep or out of range: move the gateway "
        "closer to the lock if this keeps happening",
        transient=True,
    ),
    -2012: CatalogueEntry(
        GatewayError,
        "The lock is not connected to any gateway: pair a gateway with it in the TTLock app "
        "(Gateway -> lock list), or place one within radio range",
    ),
    -3002: CatalogueEntry(
        GatewayError,
        "The gateway is offline: check its power and network, then wait until the TTLock app "
        "shows it online",
        retry_later=True,
    ),
    -3003: CatalogueEntry(
        GatewayError, "The gateway is busy with another command: try again", transient=True
    ),
    -3034: CatalogueEntry(
        GatewayError, "The WiFi lock has no network configured: set up WiFi in the TTLock app"
    ),
    -3035: CatalogueEntry(
        GatewayError,
        "The WiFi lock is in power-saving mode: turn power saving off in the TTLock app",
    ),
    -3036: CatalogueEntry(
        GatewayError,
        "The lock is offline (out of the gateway's reach or its battery is flat): check it",
        retry_later=True,
    ),
    -3037: CatalogueEntry(
        GatewayError, "The lock is busy with another command: try again", transient=True
    ),
    -4037: CatalogueEntry(GatewayError, "TTLock does not know this gateway: check the gatewayId"),
    # Passcodes.
    -1007: CatalogueEntry(
        PasscodeError,
        "The lock has no data for offline codes (it was never set up for them). Resetting its "
        "passcodes in the TTLock app creates it but deletes every code on the lock: on a "
        "shared door, do it when no guest depends on one, then retry; meanwhile a door with a "
        'gateway can take online codes (mode = "online")',
    ),
    -1026: CatalogueEntry(
        PasscodeError,
        "A passcode for this exact period was already issued and deleted: choose another "
        "whole hour",
    ),
    -2009: CatalogueEntry(PasscodeError, "This passcode does not exist (any more) on the lock"),
    -2032: CatalogueEntry(
        PasscodeError,
        "The passcode is too simple (runs like 1234 or repeats like 1111): choose another",
    ),
    -3006: CatalogueEntry(PasscodeError, "A passcode must have 4 to 9 digits"),
    -3007: CatalogueEntry(
        PasscodeError, "The same passcode already exists on this lock: choose another code"
    ),
    -3008: CatalogueEntry(
        PasscodeError,
        "A random passcode that was never used on the lock cannot be changed or deleted yet",
    ),
    -3009: CatalogueEntry(
        PasscodeError, "No space left for custom passcodes on this lock: delete unused ones"
    ),
    # Quota.
    30006: CatalogueEntry(
        QuotaError,
        "The TTLock API call limit is exceeded: poll less often, or raise the limit in the "
        "developer portal",
        retry_later=True,
    ),
    30007: CatalogueEntry(
        QuotaError,
        "The monthly TTLock API call limit is used up (it resets on the 1st, Beijing time): "
        "upgrade the developer account or wait",
        retry_later=True,
    ),
    # Clock.
    80000: CatalogueEntry(
        ClockError,
        "This computer's clock is more than 5 minutes off: enable time synchronisation (NTP)",
        retry_later=True,
    ),
    # Request content.
    -3: CatalogueEntry(
        InvalidRequestError, "TTLock rejected a parameter: this is a bug in the caller"
    ),
    30002: CatalogueEntry(
        InvalidRequestError, "A user name may contain only English letters and digits"
    ),
    30003: CatalogueEntry(
        InvalidRequestError,
        "This user name is already registered for the application: choose another one",
    ),
    30004: CatalogueEntry(InvalidRequestError, "No such registered user"),
    80002: CatalogueEntry(
        InvalidRequestError, "TTLock could not parse a JSON parameter: this is a bug in the caller"
    ),
    90000: CatalogueEntry(
        TTLockError, "TTLock had an internal error: try again later", transient=True
    ),
}


def error_for(errcode: int, message: str, path: str | None = None) -> TTLockError:
    """The exception for a TTLock error answer to a call of `path` (e.g. `/v3/lock/lock`);
    unknown errcodes give a generic TTLockError that no retry is expected to fix."""
    entry = CATALOGUE.get(errcode)
    if entry is None:
        return TTLockError(errcode, message)
    guidance = entry.guidance_for.get(path or "", entry.guidance)
    return entry.kind(
        errcode,
        message,
        guidance,
        transient=entry.transient,
        retry_later=entry.retry_later or entry.transient,
    )
