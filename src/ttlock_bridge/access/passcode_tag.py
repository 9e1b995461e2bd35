"""The tag in every passcode name we create: how the reconciler recognises its own passcodes.

A name is the human part followed by ` #tb-` and the grant's tag, e.g.
`Room 12 23-25/11 #tb-7K2QF9`. Tags are 6 characters of Crockford base32 (digits and capital
letters without I, L, O, U): about a billion values, short, and unambiguous when read aloud.
Names are kept within `MAX_NAME_LENGTH` by shortening the human part, never the tag, and the tag
is only recognised at the very end of a name, so names written by people never parse as ours.
"""

from __future__ import annotations

import re
import secrets
from typing import Final

from ttlock_bridge.access.passcode_policy import RandomSource

MAX_NAME_LENGTH: Final = 50
TAG_ALPHABET: Final = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
TAG_LENGTH: Final = 6
TAG_MARKER: Final = "#tb-"
_TAG: Final = re.compile(f"[{TAG_ALPHABET}]{{{TAG_LENGTH}}}")
_TAGGED_NAME: Final = re.compile(
    rf"(?:^|\s){re.escape(TAG_MARKER)}({_TAG.pattern})\s*$", re.IGNORECASE
)


def new_grant_tag(rng: RandomSource = secrets) -> str:
    """A fresh random tag, generated once per grant."""
    return "".join(TAG_ALPHABET[rng.randbelow(len(TAG_ALPHABET))] for _ in range(TAG_LENGTH))


def format_name(human: str, grant_tag: str) -> str:
    """`human` (whitespace collapsed, shortened if needed) followed by the grant's tag."""
    if _TAG.fullmatch(grant_tag) is None:
        raise ValueError(f"not a grant tag: {grant_tag!r}")
    suffix = f"{TAG_MARKER}{grant_tag}"
    room = MAX_NAME_LENGTH - len(suffix) - 1
    shortened = " ".join(human.split())[:room].rstrip()
    return f"{shortened} {suffix}" if shortened else suffix


def human_part(name: str) -> str:
    """The name without our tag: `Smith 23-25/11 #tb-7K2QF9` -> `Smith 23-25/11`; a name that
    is not ours is returned as it is (whitespace collapsed)."""
    match = _TAGGED_NAME.search(name)
    return " ".join((name[: match.start()] if match else name).split())


def parse_tag(name: str | None) -> str | None:
    """The grant tag in a passcode name, or None if the name is not one of ours."""
    if not name:
        return None
    match = _TAGGED_NAME.search(name)
    return match[1].upper() if match else None
