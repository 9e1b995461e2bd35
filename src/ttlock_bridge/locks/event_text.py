"""Short human descriptions of lock records (reference §13.3), for channels and the API."""

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


def describe(record_type: int, *, success: bool, masked_code: str | None, who: str | None) -> str:
    """E.g. "passcode ****56 (R1 Smith)", "remote unlock", "passcode ****99 refused"."""
    text = _DESCRIPTIONS.get(record_type, f"record type {record_type}")
    if masked_code:
        text += f" {masked_code}"
    if who:
        text += f" ({who})"
    return text if success else f"{text} refused"
