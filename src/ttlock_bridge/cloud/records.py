"""What a lock record says about the bolt: the cloud record types (reference §13.3) that leave
the lock unlocked or locked. Everything else (alarms, door sensor, mail) says nothing about it."""

from enum import StrEnum


class BoltState(StrEnum):
    UNLOCKED = "unlocked"
    LOCKED = "locked"


_UNLOCKING = frozenset({1, 3, 4, 7, 8, 9, 10, 12, 32, 46, 49, 50, 55, 57, 63})
_LOCKING = frozenset({11, 33, 34, 35, 36, 45, 47, 52, 53, 59, 61})


def bolt_state_after(record_type: int | None) -> BoltState | None:
    """The bolt's state right after an event of this cloud `recordType`, if it tells."""
    if record_type in _UNLOCKING:
        return BoltState.UNLOCKED
    if record_type in _LOCKING:
        return BoltState.LOCKED
    return None
