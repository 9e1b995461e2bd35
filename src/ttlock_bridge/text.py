"""Characters that change how text reads: refused in names, escaped in logs.

C0 and C1 control characters (including DEL and U+009B, the 8-bit terminal escape), line and
paragraph separators, lone surrogates, and the Unicode bidirectional controls (U+202A-U+202E,
U+2066-U+2069, U+200E, U+200F, U+061C) such as the right-to-left override: in a name they
reach the locks and make it read differently from what it is; in a log line they forge lines
or reorder what a terminal shows.
"""

from __future__ import annotations

import unicodedata
from typing import Final

_BIDI_CONTROLS: Final = frozenset(
    "\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
)
_UNSAFE_CATEGORIES: Final = frozenset({"Cc", "Cs", "Zl", "Zp"})


def is_unsafe(character: str) -> bool:
    """Whether one character is a control, separator or bidirectional control (see above)."""
    return character in _BIDI_CONTROLS or unicodedata.category(character) in _UNSAFE_CATEGORIES


def unsafe_character(text: str) -> tuple[int, str] | None:
    """The first unsafe character in `text` and its position (0-based), or None."""
    return next(
        ((position, character) for position, character in enumerate(text) if is_unsafe(character)),
        None,
    )


def strip_unsafe(text: str) -> str:
    """`text` without its unsafe characters: for what arrives from outside and is only shown
    (a callback's user name), where refusing would lose the record."""
    return "".join(character for character in text if not is_unsafe(character))


def escape_unsafe(text: str) -> str:
    """`text` with every unsafe character written as a visible escape (`\\u202e`, `\\x7f`)."""
    if unsafe_character(text) is None:
        return text
    return "".join(
        (f"\\x{ord(c):02x}" if ord(c) < 0x100 else f"\\u{ord(c):04x}") if is_unsafe(c) else c
        for c in text
    )
