"""Structured logs (one `key=value` line per record) with secrets and passcodes redacted.

Redaction happens in the root handler's formatter, so it covers every logger in the process
(ours, uvicorn's access log, libraries): the known secret values are replaced wherever they
appear, and any value written after a sensitive key (`password=`, `keyboardPwd=`, `code:` ...)
is hidden.
"""

from __future__ import annotations

import logging
import re
import sys
from collections.abc import Iterable
from datetime import UTC, datetime

from ttlock_bridge.text import escape_unsafe

REDACTED = "[redacted]"
_SENSITIVE_VALUE = re.compile(
    r"(?i)((?:keyboard_?pwd|new_?keyboard_?pwd|password|passwd|code|token|secret|authorization)"
    r"[\"']?\s*[=:]\s*(?:bearer\s+)?[\"']?)([^\s&\"',}]+)"
)


class RedactingFormatter(logging.Formatter):
    """`time=... level=... logger=... msg="..."`, with secrets removed from the whole line
    (message and traceback alike) and control and bidi characters escaped (one record, one
    line, read as written)."""

    def __init__(self, secrets: Iterable[str]) -> None:
        super().__init__()
        # Longest first, so a secret containing another is removed whole.
        self._secrets = sorted({s for s in secrets if len(s) >= 4}, key=len, reverse=True)

    def redact(self, text: str) -> str:
        for secret in self._secrets:
            text = text.replace(secret, REDACTED)
        return _SENSITIVE_VALUE.sub(lambda match: match[1] + REDACTED, text)

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
