"""Pure passcode rules of the simulated cloud (reference §8): what a custom code may look like,
how algorithmic ("random") codes are derived, and how long such a code waits for its first use.
"""

import hashlib
import itertools

from ttlock_bridge.simulator.errors import ApiError

MIN_LENGTH = 4
MAX_LENGTH = 9
MAX_CUSTOM_PER_LOCK = 250
RANDOM_CODE_LENGTH = 7
HOUR_MS = 3_600_000
FIRST_USE_WINDOW_MS = 24 * HOUR_MS
FIRST_USE_TYPES = (2, 3)
"""Random code types the lock voids when they are not used within 24 h of their start (§8.1)."""


def check_custom_code(code: str) -> None:
    """Raise the cloud's errcode for an unusable custom code: -3006 length, -2032 too simple."""
    if not code.isdigit() or not MIN_LENGTH <= len(code) <= MAX_LENGTH:
        raise ApiError(-3006)
    if is_too_simple(code):
        raise ApiError(-2032)


def is_too_simple(code: str) -> bool:
    """All digits equal, or strictly consecutive ascending/descending digits (1234, 987654)."""
    steps = {int(after) - int(before) for before, after in itertools.pairwise(code)}
    return steps in ({0}, {1}, {-1})


def truncate_to_hour(epoch_ms: int) -> int:
    """Random passcodes are hour-granular: 19:20 becomes 19:00 (reference §8.1)."""
    return epoch_ms - epoch_ms % HOUR_MS


def first_use_deadline(passcode_type: int, start_ms: int) -> int | None:
    """Until when a random code must have been used once, or the lock voids it for good.

    Reference §8.1: a permanent (2) or period (3) code must be used at least once within 24 h
    after its start; used in time, it stays valid to its end. None for the other types (a
    one-time code has its own 6 hours). Custom codes have no such rule (§8).
    """
    if passcode_type not in FIRST_USE_TYPES:
        return None
    return start_ms + FIRST_USE_WINDOW_MS


def random_code(lock_id: int, passcode_type: int, start_ms: int, end_ms: int, salt: int) -> str:
    """The algorithmic code for one request; the same inputs always give the same code.

    `salt` only changes when the first candidate collides with a code already on the lock.
    """
    seed = f"{lock_id}:{passcode_type}:{start_ms}:{end_ms}:{salt}".encode()
    number = int.from_bytes(hashlib.sha256(seed).digest()[:8], "big")
    return f"{number % 10**RANDOM_CODE_LENGTH:0{RANDOM_CODE_LENGTH}d}"
