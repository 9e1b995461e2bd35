"""Names given by people or panels, checked once for every channel before they are stored.

A name travels to the locks (in the passcode name), into the ledger and into log lines, so it
may not carry characters that change how it or what follows it reads: C0 and C1 control
characters (including DEL and U+009B, the 8-bit terminal escape), line and paragraph
separators, and the Unicode bidirectional controls (U+202A-U+202E, U+2066-U+2069, U+200E,
U+200F, U+061C), such as the right-to-left override.
"""

from __future__ import annotations

import unicodedata
from typing import Final

from ttlock_bridge.access.errors import InvalidInput, UnsafeText

_BIDI_CONTROLS: Final = frozenset(
    "\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
)
_UNSAFE_CATEGORIES: Final = frozenset({"Cc", "Cs", "Zl", "Zp"})


def unsafe_character(text: str) -> tuple[int, str] | None:
    """The first unsafe character in `text` and its position (0-based), or None."""
    for position, character in enumerate(text):
        if character in _BIDI_CONTROLS or unicodedata.category(character) in _UNSAFE_CATEGORIES:
            return position, character
    return None


def checked_name(text: str, what: str = "name") -> str:
    """`text` with runs of spaces collapsed, or `UnsafeText` naming the first unsafe character
    (as U+XXXX, never raw); `InvalidInput` too when nothing but spaces is left."""
    found = unsafe_character(text)
    if found is not None:
        position, character = found
        raise UnsafeText(
            f"the {what} contains U+{ord(character):04X} ({_label(character)}) at position "
            f"{position + 1}: control and bidirectional-override characters are not allowed; "
            "write the name as plain text"
        )
    collapsed = " ".join(text.split())
    if not collapsed:
        raise InvalidInput(f"the {what} is blank: write a name, or leave it out")
    return collapsed


def _label(character: str) -> str:
    return unicodedata.name(character, "a control character")
