"""The token lifecycle, unattended: log in, renew ahead of expiry, recover from a refused token,
and stop cleanly when nothing but a person can help.

All renewals go through one asyncio.Lock and re-check the token once inside it, so any number of
concurrent calls that meet an expired token cause exactly one refresh request.
"""

import asyncio
import logging
import time

from ttlock_bridge.cloud.clock import CloudClock
from ttlock_bridge.cloud.credentials import Credentials
from ttlock_bridge.cloud.errors import AuthError, ReauthenticationNeeded, error_for
from ttlock_bridge.cloud.models import TokenGrant
from ttlock_bridge.cloud.tokens import StoredRefusal, StoredToken, TokenStore
from ttlock_bridge.cloud.transport import Transport

log = logging.getLogger("ttlock_bridge.cloud")

OAUTH_PATH = "/oauth2/token"

LOOK_FOR_A_NEW_LOGIN_S = 5.0
"""While refused, how often a call may look in the token store for a token another process
stored (`ttlock-bridge login` with the new password): one cheap read, never a TTLock call."""


class Session:
    """Holds the current token for one account and renews it as needed.

    When both the refresh token and the password are refused, the session enters the
    "re-authentication needed" state: `reauthentication_reason` says why, and every call fails
    at once with ReauthenticationNeeded, without contacting TTLock, until `use_credentials`,
    or until another process stores a working token for the account (`ttlock-bridge login`
    beside a running `serve`: a stored token ends the refusal, and the session takes it up
    within `LOOK_FOR_A_NEW_LOGIN_S`). The state is kept in the token store, so a restart with
    the same credentials stays in it instead of trying the refused password again (TTLock
    locks accounts that keep trying).
    """

    def __init__(
        self,
        transport: Transport,
        credentials: Credentials,
        store: TokenStore,
        clock: CloudClock,
    ) -> None:
        self._transport = transport
        self._credentials = credentials
        self._store = store
        self._clock = clock
        self._renewal = asyncio.Lock()
        self._token: StoredToken | None = None
        self._loaded = False
        self._refusal: AuthError | None = None
        self._looked_at = 0.0  # time.monotonic() of the last look for a new login

    @property
    def credentials(self) -> Credentials:
        return self._credentials

    @property
    def reauthentication_reason(self) -> str | None:
        """Why the session stopped calling TTLock, or None while it works."""
        return None if self._refusal is None else self._refusal.guidance

    def use_credentials(self, credentials: Credentials) -> None:
        """Take new credentials (a person fixed them) and leave the re-authentication state."""
        self._credentials = credentials
        self._refusal = None
        self._token = None
        self._loaded = True  # the stored token belongs to the old credentials

    async def access_token(self) -> str:
        """A token that is valid as far as the client knows, renewed first if it is due."""
        if self._refusal is not None:
            await self._take_up_a_new_login()
        token = self._token
        if token is not None and not token.needs_refresh(self._clock.now_ms()):
            return token.access_token
        async with self._renewal:
            self._fail_fast_if_refused()
            token = await self._loaded_token()
            if token is None:
                token = await self._log_in()
            elif token.needs_refresh(self._clock.now_ms()):
                token = await self._renew(token)
            return token.access_token

    async def replace_refused(self, refused_access_token: str) -> str:
        """A new token after TTLock refused `refused_access_token` (10003/10004).

        Whoever arrives after another caller already replaced that token gets the new one.
        """
        async with self._renewal:
            self._fail_fast_if_refused()
            token = self._token
            if token is not None and token.access_token != refused_access_token:
                return token.access_token
            if (stored := await self._stored_instead_of(refused_access_token)) is not None:
                return stored.access_token
            if token is None:
                return (await self._log_in()).access_token
            return (await self._renew(token)).access_token

    async def log_in(self) -> StoredToken:
        """A fresh password login, whatever the current token (`ttlock-bridge login`)."""
        async with self._renewal:
            self._refusal = None
            return await self._log_in()

    async def _take_up_a_new_login(self) -> None:
        """While refused: the token someone stored since (the refusal is then gone from the
        store), looked for at most every `LOOK_FOR_A_NEW_LOGIN_S`; else ReauthenticationNeeded."""
        async with self._renewal:
            if self._refusal is None:  # another caller took it up meanwhile
                return
            if time.monotonic() - self._looked_at >= LOOK_FOR_A_NEW_LOGIN_S:
                self._looked_at = time.monotonic()
                # a token saved after the refusal ends it in the store too
                no_refusal_stored = await self._store.load_refusal() is None
                if no_refusal_stored and await self._stored_instead_of(None) is not None:
                    log.warning(
                        "a new TTLock token was stored for %s (ttlock-bridge login): calling "
                        "TTLock again (a restart brings this process the new password)",
                        self._credentials.username,
                    )
                    self._refusal = None
                    return
            self._fail_fast_if_refused()

    async def _loaded_token(self) -> StoredToken | None:
        if not self._loaded:
            self._loaded = True
            refused = await self._store.load_refusal()
            if refused and refused.credentials_fingerprint == self._credentials.fingerprint:
                self._refusal = _as_auth_error(refused)
                log.error(
                    "TTLock refused these credentials before (errcode %s): re-authentication "
                    "needed; not trying again until they change",
                    refused.errcode,
                )
                raise _reauthentication_needed(self._refusal)
            stored = await self._store.load()
            if stored is not None and stored.username == self._credentials.username:
                self._token = stored
        return self._token

    async def _stored_instead_of(self, ours: str | None) -> StoredToken | None:
        """A usable token another process (a CLI command, a `login`) stored since ours (access
        token; None when we hold none), taken up: its renewal rotated the pair, so ours (and
        our refresh token) may be retired."""
        stored = await self._store.load()
        if (
            stored is None
            or stored.username != self._credentials.username
            or stored.access_token == ours
            or stored.needs_refresh(self._clock.now_ms())
        ):
            return None
        self._token = stored
        return stored

    async def _renew(self, token: StoredToken) -> StoredToken:
        """Refresh (unless another process already stored a newer token); when TTLock refuses
        the refresh token, take a token stored meanwhile, else fall back to the password."""
        if (stored := await self._stored_instead_of(token.access_token)) is not None:
            return stored
        try:
            grant = await self._transport.post(
                OAUTH_PATH,
                {
                    "clientId": self._credentials.client_id,
                    "clientSecret": self._credentials.client_secret,
                    "grant_type": "refresh_token",
                    "refresh_token": token.refresh_token,
                },
            )
        except AuthError as refusal:
            if (stored := await self._stored_instead_of(token.access_token)) is not None:
                log.info("token refresh refused; another process stored a newer token: taken")
                return stored
            log.warning("token refresh refused (errcode %s); logging in again", refusal.errcode)
            return await self._log_in()
        log.info("access token refreshed")
        return await self._keep(TokenGrant.model_validate(grant), uid=token.uid)

    async def _log_in(self) -> StoredToken:
        try:
            grant = await self._transport.post(
                OAUTH_PATH,
                {
                    "clientId": self._credentials.client_id,
                    "clientSecret": self._credentials.client_secret,
                    "username": self._credentials.username,
                    "password": self._credentials.password_md5,
                },
            )
        except AuthError as refusal:
            await self._give_up(refusal)
            raise _reauthentication_needed(refusal) from refusal
        log.info("logged in to TTLock as %s", self._credentials.username)
        return await self._keep(TokenGrant.model_validate(grant))

    async def _keep(self, grant: TokenGrant, uid: int | None = None) -> StoredToken:
        now = self._clock.now_ms()
        token = StoredToken(
            username=self._credentials.username,
            access_token=grant.access_token,
            refresh_token=grant.refresh_token,
            issued_at_ms=now,
            expires_at_ms=now + grant.expires_in * 1000,
            uid=grant.uid if grant.uid is not None else uid,
        )
        self._token = token
        await self._store.save(token)
        return token

    async def _give_up(self, refusal: AuthError) -> None:
        log.error(
            "TTLock refused the login (errcode %s): re-authentication needed; no further "
            "calls until credentials are given again",
            refusal.errcode,
        )
        self._refusal = refusal
        self._token = None
        await self._store.refuse(
            StoredRefusal(
                errcode=refusal.errcode,
                message=refusal.message,
                credentials_fingerprint=self._credentials.fingerprint,
            )
        )

    def _fail_fast_if_refused(self) -> None:
        if self._refusal is not None:
            raise _reauthentication_needed(self._refusal)


def _as_auth_error(refused: StoredRefusal) -> AuthError:
    error = error_for(refused.errcode, refused.message) if refused.errcode is not None else None
    if isinstance(error, AuthError):
        return error
    return AuthError(refused.errcode, refused.message, "Check the TTLock credentials")


def _reauthentication_needed(refusal: AuthError) -> ReauthenticationNeeded:
    return ReauthenticationNeeded(
        refusal.errcode,
        refusal.message,
        f"Re-authentication needed: {refusal.guidance}. Then run `ttlock-bridge login` with "
        "the right TTLOCK_PASSWORD (a running service takes the new token up within seconds), "
        "or fix TTLOCK_PASSWORD and restart the service",
    )
