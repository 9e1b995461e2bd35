"""What a lock record says about the bolt, for every cloud `recordType` TTLock documents.

Reference §13.3 lists the cloud types up to 63 and names the newer ones (64-93: door alarms,
3D face, palm vein, dual authentication, admin passcode); their numbers are the lock's own
(§13.4), as current public integrations read them too. Each documented type is in exactly one
of three sets: it leaves the bolt unlocked, it leaves it locked, or it says nothing about the
bolt (alarms, door sensor, mail, a refused attempt, a first factor of two). A type in none of
them is one TTLock added after this table: if it succeeded, the lock may have moved its bolt,
so the honest state is `UNKNOWN` rather than the last one known.
"""

from enum import StrEnum


class BoltState(StrEnum):
    UNLOCKED = "unlocked"
    LOCKED = "locked"
    UNKNOWN = "unknown"
    """The lock did something this bridge cannot read; the last known state may not hold."""


_UNLOCKING = frozenset(
    {
        1,  # app (Bluetooth eKey)
        3,  # gateway (legacy)
        4,  # passcode
        7,  # IC card
        8,  # fingerprint
        9,  # wrist strap
        10,  # mechanical key
        12,  # gateway (remote)
        32,  # opened from inside
        46,  # unlock button
        49,  # hotel card
        50,  # high temperature
        55,  # key fob
        57,  # QR code
        63,  # passage mode auto unlock
        67,  # 3D face
        75,  # button, authorised by the app
        76,  # button, authorised by the gateway
        84,  # palm vein
        92,  # admin passcode
    }
)
_LOCKING = frozenset(
    {
        11,  # app
        33,  # fingerprint
        34,  # passcode
        35,  # IC card
        36,  # mechanical key
        45,  # auto lock
        47,  # lock button
        52,  # dead lock with the app
        53,  # dead lock with a passcode
        59,  # double locked
        61,  # QR code
        69,  # 3D face
        86,  # palm vein
    }
)
_SAYS_NOTHING = frozenset(
    {
        2, 5, 6, 54,  # parking locks
        29, 44, 48, 64, 65, 66,  # alarms: forced, tamper, system locked, door open, timeouts
        30, 31,  # door sensor closed / open
        37,  # remote control button (the record does not say which way)
        42, 43,  # mailbox
        51, 58, 62, 68, 71, 74, 85, 88, 91,  # refused: deleted card, expired, double locked
        56,  # wireless keypad battery
        60,  # double lock cancelled (the bolt stays as it was)
        70, 72, 73, 87, 89, 90, 93,  # credentials registered, deleted, cleared, added
        77, 78, 79, 80, 81, 82, 83,  # first factor of a dual authentication (not yet open)
    }
)  # fmt: skip

PASSAGE_MODE_UNLOCK = 63
"""The record of an unlock by passage mode: the lock stays open until the period ends."""


def bolt_state_after(record_type: int | None) -> BoltState | None:
    """The bolt's state right after a *successful* record of this cloud `recordType`.

    None when the type says nothing about the bolt; `UNKNOWN` for a type TTLock documents
    nowhere in reference §13.3/§13.4 (a newer lock's), which may have moved it.
    """
    if record_type in _UNLOCKING:
        return BoltState.UNLOCKED
    if record_type in _LOCKING:
        return BoltState.LOCKED
    if record_type is None or record_type in _SAYS_NOTHING:
        return None
    return BoltState.UNKNOWN
