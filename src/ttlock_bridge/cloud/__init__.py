"""The TTLock Open API client: typed calls, unattended tokens, clear errors, bounded retries.

Knows nothing of rooms or grants; must not import `ttlock_bridge.simulator` (both follow the
API reference independently). Start with `TTLockClient` and `Credentials`.
"""

import logging

from ttlock_bridge.cloud.client import TTLockClient
from ttlock_bridge.cloud.credentials import Credentials, password_md5
from ttlock_bridge.cloud.errors import (
    AuthError,
    ClockError,
    GatewayError,
    InvalidRequestError,
    LockError,
    PasscodeError,
    PermissionDenied,
    QuotaError,
    ReauthenticationNeeded,
    TransportError,
    TTLockError,
)
from ttlock_bridge.cloud.models import (
    Fingerprint,
    Gateway,
    IdentityCard,
    IssuedPasscode,
    LockDetail,
    LockGateway,
    LockRecord,
    LockSummary,
    OpenState,
    PassageModeConfig,
    Passcode,
    PasscodeType,
    mask_code,
    shown_code,
)
from ttlock_bridge.cloud.records import PASSAGE_MODE_UNLOCK, BoltState, bolt_state_after
from ttlock_bridge.cloud.regions import DEFAULT_REGION, REGIONS, api_base
from ttlock_bridge.cloud.retry import RetryPolicy
from ttlock_bridge.cloud.tokens import (
    FileTokenStore,
    MemoryTokenStore,
    StoredRefusal,
    StoredToken,
    TokenStore,
)
from ttlock_bridge.cloud.transport import CallObserver, CallOutcome

__all__ = [
    "DEFAULT_REGION",
    "PASSAGE_MODE_UNLOCK",
    "REGIONS",
    "AuthError",
    "BoltState",
    "CallObserver",
    "CallOutcome",
    "ClockError",
    "Credentials",
    "FileTokenStore",
    "Fingerprint",
    "Gateway",
    "GatewayError",
    "IdentityCard",
    "InvalidRequestError",
    "IssuedPasscode",
    "LockDetail",
    "LockError",
    "LockGateway",
    "LockRecord",
    "LockSummary",
    "MemoryTokenStore",
    "OpenState",
    "PassageModeConfig",
    "Passcode",
    "PasscodeError",
    "PasscodeType",
    "PermissionDenied",
    "QuotaError",
    "ReauthenticationNeeded",
    "RetryPolicy",
    "StoredRefusal",
    "StoredToken",
    "TTLockClient",
    "TTLockError",
    "TokenStore",
    "TransportError",
    "api_base",
    "bolt_state_after",
    "mask_code",
    "password_md5",
    "shown_code",
]

# A library logs; the application decides where to. Without this, Python's last-resort handler
# would print the client's warnings in the middle of CLI output.
logging.getLogger(__name__).addHandler(logging.NullHandler())
