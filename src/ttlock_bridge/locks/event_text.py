"""Human descriptions of lock records (reference §13.3), for channels and the API, and the one
short ASCII word for each method that a channel with little room (KNX: 14 characters) puts
first."""

from __future__ import annotations

_DESCRIPTIONS = {
    1: "app unlock",
    3: "gateway unlock",
    4: "passcode",
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
    44: "tamper alarm",
    45: "auto lock",
    46: "unlock button",
    47: "lock button",
    48: "system locked (too many wrong attempts)",
    49: "hotel card",
    55: "key fob",
    63: "passage mode auto unlock",
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
