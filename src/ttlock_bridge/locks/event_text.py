"""Human descriptions of lock records (cloud `recordType`, reference §13.3 and §13.4), for
channels and the API, and the one short ASCII word for each method that a channel with little
room (KNX: 14 characters) puts first. A type missing here is named by its number, never dropped."""

from __future__ import annotations

_DESCRIPTIONS = {
    1: "app unlock",
    2: "parking lock touched",
    3: "gateway unlock",
    4: "passcode",
    5: "parking lock raised",
    6: "parking lock lowered",
    7: "IC card",
    8: "fingerprint",
    9: "wrist strap",
    10: "mechanical key",
    11: "app lock",
    12: "remote unlock",
    29: "forced open alarm",
    30: "door closed",
    31: "door open",
    32: "opened from inside",
    33: "fingerprint lock",
    34: "passcode lock",
    35: "IC card lock",
    36: "mechanical key lock",
    37: "remote control button",
    42: "local mail",
    43: "mail from another city",
    44: "tamper alarm",
    45: "auto lock",
    46: "unlock button",
    47: "lock button",
    48: "system locked (too many wrong attempts)",
    49: "hotel card",
    50: "unlocked by high temperature",
    51: "deleted card",
    52: "dead lock by app",
    53: "dead lock by passcode",
    54: "car left",
    55: "key fob",
    56: "wireless keypad battery",
    57: "QR code",
    58: "QR code expired",
    59: "double locked",
    60: "double lock cancelled",
    61: "QR code lock",
    62: "QR code (double locked)",
    63: "passage mode auto unlock",
    64: "door not closed alarm",
    65: "unlock timeout",
    66: "lock timeout",
    67: "face",
    68: "face (double locked)",
    69: "face lock",
    70: "face registered",
    71: "face expired",
    72: "face deleted",
    73: "faces cleared",
    74: "IC card security error",
    75: "button (app authorised)",
    76: "button (gateway authorised)",
    77: "dual auth step 1: app",
    78: "dual auth step 1: passcode",
    79: "dual auth step 1: fingerprint",
    80: "dual auth step 1: IC card",
    81: "dual auth step 1: face",
    82: "dual auth step 1: remote",
    83: "dual auth step 1: palm vein",
    84: "palm vein",
    85: "palm vein (double locked)",
    86: "palm vein lock",
    87: "palm vein registered",
    88: "palm vein expired",
    89: "palm vein deleted",
    90: "palm veins cleared",
    91: "IC card refused",
    92: "admin passcode",
    93: "passcode added on the lock",
}


_METHOD_WORDS = {
    1: "APP",
    3: "REMOTE",
    4: "PIN",
    7: "CARD",
    8: "FINGER",
    9: "WRISTBAND",
    10: "KEY",
    11: "APP LOCK",
    12: "REMOTE",
    29: "FORCED OPEN",
    30: "DOOR CLOSED",
    31: "DOOR OPEN",
    32: "INSIDE",
    33: "FINGER LOCK",
    34: "PIN LOCK",
    35: "CARD LOCK",
    36: "KEY LOCK",
    44: "TAMPER",
    45: "AUTO LOCK",
    46: "BUTTON",
    47: "LOCK BUTTON",
    48: "KEYPAD BLOCKED",
    49: "HOTEL CARD",
    55: "FOB",
    63: "PASSAGE OPEN",
}


def method_word(record_type: int, *, success: bool) -> str:
    """E.g. `PIN`, `APP`, `AUTO LOCK`, `PIN REFUSED`, `EVENT 67`: ASCII capitals, the method
    first so a channel that cuts the text keeps it."""
    word = _METHOD_WORDS.get(record_type, f"EVENT {record_type}")
    return word if success else f"{word} REFUSED"


def describe(record_type: int, *, success: bool, masked_code: str | None, who: str | None) -> str:
    """E.g. "passcode ****56 (R1 Smith)", "remote unlock", "passcode ****99 refused"."""
    text = _DESCRIPTIONS.get(record_type, f"record type {record_type}")
    if masked_code:
        text += f" {masked_code}"
    if who:
        text += f" ({who})"
    return text if success else f"{text} refused"
