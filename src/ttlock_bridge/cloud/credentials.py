"""What the client needs to log in on its own: the application's id and secret, the account."""

import hashlib
import re
from dataclasses import dataclass, field

_MD5_HEX = re.compile(r"[0-9a-fA-F]{32}")


def password_md5(password: str) -> str:
    """The password as TTLock wants it: MD5, lowercase hex.

    A value that already is 32 hex characters is taken as pre-hashed, so configuration may hold
    the hash instead of the password (a plain password of exactly 32 hex digits cannot be used).
    """
    if _MD5_HEX.fullmatch(password):
        return password.lower()
    return hashlib.md5(password.encode("utf-8"), usedforsecurity=False).hexdigest()


@dataclass(frozen=True)
class Credentials:
    """A TTLock application (client id and secret) and the app account that owns the locks."""

    client_id: str
    client_secret: str = field(repr=False)
    username: str
    password_md5: str = field(repr=False)

    @classmethod
    def with_password(
        cls, client_id: str, client_secret: str, username: str, password: str
    ) -> "Credentials":
        """Credentials from a plain (or pre-hashed) password, hashed right away."""
        return cls(client_id, client_secret, username, password_md5(password))

    @property
    def fingerprint(self) -> str:
        """A one-way digest of all four values (SHA-256, hex): tells whether a person changed
        the credentials since TTLock refused them, without keeping them."""
        joined = "\n".join((self.client_id, self.client_secret, self.username, self.password_md5))
        return hashlib.sha256(joined.encode("utf-8")).hexdigest()
