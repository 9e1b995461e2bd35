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
"""

from __future__ import annotations

import secrets
from collections.abc import Collection
from itertools import pairwise
from typing import Final, Protocol

from ttlock_bridge.access.errors import AccessError, InvalidInput

CODE_LENGTHS: Final = (4, 9)
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


def generate_code(
    length: int,
    *,
    avoid: Collection[str],
    deny: Collection[str],
    rng: RandomSource = secrets,
) -> str:
    """A fresh non-trivial code of `length` digits, not in `avoid` (codes taken) nor `deny`."""
    shortest, longest = CODE_LENGTHS
    if not shortest <= length <= longest:
        raise ValueError(f"code length must be {shortest}-{longest}, not {length}")
    lowest = 10 ** (length - 1)
    for _ in range(_MAX_DRAWS):
        code = str(lowest + rng.randbelow(9 * lowest))
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
