"""Names given by people or panels, checked once for every channel before they are stored.

A name travels to the locks (in the passcode name), into the ledger and into log lines, so it
may not carry control, separator or bidirectional-control characters (`ttlock_bridge.text`).
"""

from __future__ import annotations

import unicodedata

from ttlock_bridge.access.errors import InvalidInput, UnsafeText
from ttlock_bridge.text import unsafe_character

MAX_NAME_CHARS = 100
"""The longest name (characters, after collapsing spaces) any channel may store: a guest's or
a passcode's name fits on a card, a KNX panel's list and a TTLock app screen."""


def checked_name(text: str) -> str:
    """`text` with runs of spaces collapsed, or `UnsafeText` naming the first unsafe character
    (as U+XXXX, never raw); `InvalidInput` when nothing but spaces is left, or when it is
    longer than `MAX_NAME_CHARS` (nothing is ever cut silently)."""
    found = unsafe_character(text)
    if found is not None:
        position, character = found
        raise UnsafeText(
            f"the name contains U+{ord(character):04X} ({_label(character)}) at position "
            f"{position + 1}: control and bidirectional-override characters are not allowed; "
            "write the name as plain text"
        )
    collapsed = " ".join(text.split())
    if not collapsed:
        raise InvalidInput("the name is blank: write a name, or leave it out")
    if len(collapsed) > MAX_NAME_CHARS:
        raise InvalidInput(
            f"the name is {len(collapsed)} characters long: shorten it to {MAX_NAME_CHARS} at most"
        )
    return collapsed


def _label(character: str) -> str:
    return unicodedata.name(character, "a control character")
