"""What a message on a door's command topic asks for: LOCK or UNLOCK, or nothing; pure.

Home Assistant's MQTT lock sends `payload_lock` / `payload_unlock`, which discovery sets to
`LOCK` / `UNLOCK` (its defaults). Anything else (other words, other case, binary garbage, a
payload of any size) asks for nothing.
"""

from __future__ import annotations

from enum import StrEnum

MAX_COMMAND_BYTES = 16


class Command(StrEnum):
    LOCK = "LOCK"
    UNLOCK = "UNLOCK"


def payload_text(payload: object) -> str | None:
    """A message payload as text without surrounding whitespace; None when it is not UTF-8."""
    if isinstance(payload, bytes | bytearray):
        try:
            return bytes(payload).decode("utf-8").strip()
        except UnicodeDecodeError:
            return None
    return payload.strip() if isinstance(payload, str) else None


def read_command(payload: object) -> Command | None:
    """`b"UNLOCK"` -> `Command.UNLOCK`; None for anything that is not exactly a command."""
    if isinstance(payload, bytes | bytearray) and len(payload) > MAX_COMMAND_BYTES:
        return None
    text = payload_text(payload)
    try:
        return Command(text) if text is not None else None
    except ValueError:
        return None
