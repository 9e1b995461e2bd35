"""The access layer's errors: one root, so callers can catch every rule violation at once."""


class AccessError(Exception):
    """Root of every error raised by the access rules."""


class InvalidInput(AccessError, ValueError):
    """The caller asked for something the rules refuse; nothing was changed.

    Messages are written for the person who typed the input and never contain a full passcode.
    """
