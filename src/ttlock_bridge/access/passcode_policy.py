"""Which passcodes are acceptable, and how new ones are drawn.

A code is *trivial* when any of these holds (TTLock itself refuses "consecutive or repeated
digits" with -2032, and guests' codes must resist a glance at the keypad):

- its digits form an arithmetic progression modulo 10: all equal (1111), consecutive up or
  down (1234, 987654), wrapping round the keypad row (7890, 8901, 2109), or any fixed step
  (2468, 1357);
- it is a shorter block repeated (1212, 123123, 12341234);
- every digit is doubled (112233, 998877);
- it uses fewer than three distinct keys (1121, 900900): worn keys would leave an observer at
  most 14 guesses for a 4-digit code.

Generated codes also never start with 0, because KNX values, spreadsheets and the cloud's
int-or-string fields silently drop leading zeros. Codes typed by people may start with 0.

Some keypads have fewer keys (a cylinder keypad with 1-7 only: `[doors.<door>] keypad`): a code
must be enterable on every door it is placed on, so codes are drawn from the keys all of the
grant's doors share, and a typed code with a key a door lacks is refused, naming that door.
"""

from __future__ import annotations

import secrets
from collections.abc import Collection, Iterable, Mapping
from itertools import pairwise
from typing import Final, Protocol

from ttlock_bridge.access.errors import AccessError, InvalidInput

CODE_LENGTHS: Final = (4, 9)
ALL_KEYS: Final = "0123456789"
_MAX_DRAWS: Final = 1000


class RandomSource(Protocol):
    """Anything with `randbelow`, such as the `secrets` module."""

    def randbelow(self, exclusive_upper_bound: int, /) -> int: ...


class CodeRejected(InvalidInput):
    """A passcode the policy refuses; the message never repeats the code."""


class CodeNotDigits(CodeRejected):
    """The code contains something other than the digits 0-9."""


class CodeWrongLength(CodeRejected):
    """The code is shorter or longer than allowed."""


class CodeTooSimple(CodeRejected):
    """The code is trivial to guess (see the module docstring)."""


class CodeNotOnKeypad(CodeRejected):
    """The code uses a key that one of the grant's doors' keypads does not have."""


class CodeDenied(CodeRejected):
    """The code is on the property's deny-list."""


class CodeSpaceExhausted(AccessError):
    """No acceptable code could be drawn: too many codes are already taken at this length."""


def is_trivial(code: str) -> bool:
    """True when the digit string is easy to guess (rules in the module docstring)."""
    return (
        len(set(code)) < 3
        or _is_progression([int(char) for char in code])
        or _is_repeated_block(code)
        or _is_doubled(code)
    )


def validate_code(
    code: str,
    *,
    length_range: tuple[int, int] = CODE_LENGTHS,
    deny: Collection[str] = (),
) -> None:
    """Raise a precise `CodeRejected` if a person-chosen code may not be used."""
    shortest, longest = length_range
    if not (code.isascii() and code.isdigit()):
        raise CodeNotDigits("a passcode may contain only the digits 0-9")
    if not shortest <= len(code) <= longest:
        raise CodeWrongLength(
            f"a passcode has {shortest}-{longest} digits; this one has {len(code)}"
        )
    if is_trivial(code):
        raise CodeTooSimple(
            "this passcode is too easy to guess (repeated, consecutive or patterned digits)"
        )
    if code in deny:
        raise CodeDenied("this passcode is on the property's deny-list")


def check_keypads(code: str, keypads: Mapping[str, str]) -> None:
    """Raise `CodeNotOnKeypad` naming the doors (name -> keys, e.g. `"1234567"`) whose keypad
    cannot enter `code`; the message never repeats the code."""
    lacking = [door for door, keys in keypads.items() if not set(code) <= set(keys)]
    if lacking:
        details = ", ".join(f"{door} (keys {keypads[door]})" for door in lacking)
        raise CodeNotOnKeypad(
            f"this passcode uses a key the keypad of {details} does not have: choose a code "
            "of those keys, or leave it out to have one generated"
        )


def common_keys(keypads: Iterable[str]) -> str:
    """The keys every one of `keypads` has, sorted (all ten digits for no keypad at all)."""
    shared = set(ALL_KEYS)
    for keys in keypads:
        shared &= set(keys)
    return "".join(sorted(shared))


def generate_code(
    length: int,
    *,
    avoid: Collection[str],
    deny: Collection[str],
    keys: str = ALL_KEYS,
    rng: RandomSource = secrets,
) -> str:
    """A fresh non-trivial code of `length` digits drawn from `keys` (see `common_keys`), not
    starting with 0, not in `avoid` (codes taken) nor `deny`. Raises `CodeSpaceExhausted` when
    none is found (too many taken, or fewer than 3 shared keys)."""
    shortest, longest = CODE_LENGTHS
    if not shortest <= length <= longest:
        raise ValueError(f"code length must be {shortest}-{longest}, not {length}")
    first_keys = keys.replace("0", "")
    if len(set(keys)) < 3 or not first_keys:
        raise CodeSpaceExhausted(
            f"the doors' keypads share only the keys {keys!r}: a passcode needs at least 3"
        )
    for _ in range(_MAX_DRAWS):
        code = first_keys[rng.randbelow(len(first_keys))] + "".join(
            keys[rng.randbelow(len(keys))] for _ in range(length - 1)
        )
        if not is_trivial(code) and code not in avoid and code not in deny:
            return code
    raise CodeSpaceExhausted(
        f"no free {length}-digit passcode found after {_MAX_DRAWS} draws: "
        "use longer codes or clean up expired ones"
    )


def _is_progression(digits: list[int]) -> bool:
    step = (digits[1] - digits[0]) % 10
    return all((later - earlier) % 10 == step for earlier, later in pairwise(digits))


def _is_repeated_block(code: str) -> bool:
    return any(
        len(code) % size == 0 and code == code[:size] * (len(code) // size)
        for size in range(1, len(code) // 2 + 1)
    )


def _is_doubled(code: str) -> bool:
    return len(code) % 2 == 0 and code[0::2] == code[1::2]
