"""Pure passcode rules of the simulated cloud (reference §8): what a custom code may look like,
and how algorithmic ("random") codes are derived.
"""

import hashlib
import itertools

from ttlock_bridge.simulator.errors import ApiError

MIN_LENGTH = 4
MAX_LENGTH = 9
MAX_CUSTOM_PER_LOCK = 250
RANDOM_CODE_LENGTH = 7
HOUR_MS = 3_600_000


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


def random_code(lock_id: int, passcode_type: int, start_ms: int, end_ms: int, salt: int) -> str:
    """The algorithmic code for one request; the same inputs always give the same code.

    `salt` only changes when the first candidate collides with a code already on the lock.
    """
    seed = f"{lock_id}:{passcode_type}:{start_ms}:{end_ms}:{salt}".encode()
    number = int.from_bytes(hashlib.sha256(seed).digest()[:8], "big")
    return f"{number % 10**RANDOM_CODE_LENGTH:0{RANDOM_CODE_LENGTH}d}"
