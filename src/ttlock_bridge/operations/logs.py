"""Structured logs (one `key=value` line per record) with secrets and passcodes redacted.

Redaction happens in the root handler's formatter, so it covers every logger in the process
(ours, uvicorn's access log, libraries): the known secret values (API token, client secret,
the TTLock password plain and hashed, callback secret) are replaced wherever they appear, also
URL-encoded or JSON-escaped, and any value written after a sensitive key (`password=`,
`keyboardPwd=`, `code:`, `access_token=` ...) is hidden. Error codes are no secret:
`errcode=-3007` stays as TTLock said it, and so does a number of at most three digits after a
bare `code` (`[code:135] Not authorized` is an MQTT reason code, an HTTP status is three digits,
a passcode is four to nine digits).
"""

from __future__ import annotations

import json
import logging
import re
import sys
from collections.abc import Iterable
from datetime import UTC, datetime

from ttlock_bridge.text import escape_unsafe

REDACTED = "[redacted]"
MIN_SECRET_LENGTH = 4
"""Shorter secret values are not redacted by value (they would blank out ordinary words)."""

_SENSITIVE_VALUE = re.compile(
    r"(?i)(?<![\w-])(?P<key>[\w-]*(?:pwd|password|passwd|passcode|code|token|secret|authorization))"
    r"(?P<separator>[\"']?\s*[=:]\s*(?:bearer\s+)?[\"']?)(?P<value>[^\s&\"',}]+)"
)
"""A value after a key that ends like a secret's (`keyboardPwd=`, `access_token":"`, `code:`)."""
_NOT_SECRET_KEY = re.compile(r"(?i)err(?:or)?_?code|status_?code|http_?code|masked_?code")
"""Keys that end like a secret's but name none: TTLock's `errcode` is what TTLock said."""
_CODE_KEY = re.compile(r"(?i)[\w-]*(?<!pass)code")
"""Keys that end in `code` but not in `passcode`: `code`, `new_code`, `reasonCode`..."""
_REASON_CODE = re.compile(r"\d{1,3}\]?")
"""A value after such a key that cannot be a passcode (TTLock's are 4 to 9 digits): an MQTT
reason code (`[code:135]`, 0 to 255), an HTTP status."""


def _redact_value(match: re.Match[str]) -> str:
    if _NOT_SECRET_KEY.fullmatch(match["key"]):
        return match[0]
    if _CODE_KEY.fullmatch(match["key"]) and _REASON_CODE.fullmatch(match["value"]):
        return match[0]
    return match["key"] + match["separator"] + REDACTED


def secret_pattern(secret: str) -> str:
    """A regular expression for `secret` as it may appear in a line: each character as is,
    percent-encoded (any case, `+` for a space) or JSON-escaped, in any mix, as clients and
    libraries write URLs and bodies."""
    return "".join(_character_forms(character) for character in secret)


def _character_forms(character: str) -> str:
    forms = {re.escape(character)}
    encoded = "".join(f"%{byte:02X}" for byte in character.encode())
    forms.add(f"(?i:{re.escape(encoded)})")
    escaped = json.dumps(character)[1:-1]
    if escaped != character:
        forms.add(re.escape(escaped))
    if character == " ":
        forms.add(r"\+")
    return "(?:" + "|".join(sorted(forms)) + ")"


class RedactingFormatter(logging.Formatter):
    """`time=... level=... logger=... msg="..."`, with secrets removed from the whole line
    (message and traceback alike) and control and bidi characters escaped (one record, one
    line, read as written)."""

    def __init__(self, secrets: Iterable[str]) -> None:
        super().__init__()
        # Longest first, so a secret containing another is removed whole.
        known = sorted({s for s in secrets if len(s) >= MIN_SECRET_LENGTH}, key=len, reverse=True)
        self._secrets = re.compile("|".join(secret_pattern(s) for s in known)) if known else None

    def redact(self, text: str) -> str:
        """`text` with every known secret value, and any value after a sensitive key, replaced
        by `[redacted]`; error codes (`errcode=-3007`) stay."""
        if self._secrets is not None:
            text = self._secrets.sub(REDACTED, text)
        return _SENSITIVE_VALUE.sub(_redact_value, text)

    def format(self, record: logging.LogRecord) -> str:
        stamp = datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds")
        message = escape_unsafe(record.getMessage()).replace('"', "'")
        line = f'time={stamp} level={record.levelname.lower()} logger={record.name} msg="{message}"'
        if record.exc_info:
            line += " exception=" + repr(self.formatException(record.exc_info))
        return self.redact(line)


def configure_logging(secrets: Iterable[str], level: int = logging.INFO) -> None:
    """Send every log record to stderr as redacted key=value lines."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(RedactingFormatter(secrets))
    root = logging.getLogger()
    root.handlers = [handler]
    root.setLevel(level)
    for name in ("uvicorn", "uvicorn.error", "uvicorn.access"):
        logging.getLogger(name).handlers = []
        logging.getLogger(name).propagate = True
    # One INFO line per TTLock request is noise (the cloud client logs failures itself).
    logging.getLogger("httpx").setLevel(logging.WARNING)
