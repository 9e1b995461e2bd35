"""The access layer's errors: one root, so callers can catch every rule violation at once."""


class AccessError(Exception):
    """Root of every error raised by the access rules."""


class InvalidInput(AccessError, ValueError):
    """The caller asked for something the rules refuse; nothing was changed.

    Messages are written for the person who typed the input and never contain a full passcode.
    """


class UnknownRoom(InvalidInput):
    """The request names a room the configuration does not define."""


class UnknownDoor(InvalidInput):
    """The request names a door the configuration does not define."""


class CodeClash(InvalidInput):
    """The chosen passcode is already on one of the grant's doors, under another passcode."""


class OfflineCodeChosen(InvalidInput):
    """A code was typed for doors that all get offline codes (TTLock computes those)."""


class OfflineCodeFixed(InvalidInput):
    """The dates of a grant with an offline code cannot move (the window is in the code)."""


class GrantNotFound(AccessError, LookupError):
    """No grant has that id."""


class GrantClosed(InvalidInput):
    """The grant was cancelled and can no longer be changed."""


class GrantChangedMeanwhile(AccessError):
    """The grant changed after the caller read it (its `updated_at_ms` is no longer the one
    the caller saw): nothing was written; read it again and make the change anew."""

    def __init__(self, grant_id: int, updated_at_ms: int) -> None:
        self.grant_id = grant_id
        self.updated_at_ms = updated_at_ms
        super().__init__(
            f"grant {grant_id} was changed meanwhile: read it again and make your change anew"
        )


class UnsafeText(InvalidInput):
    """A name holds control or bidirectional-override characters (they would reach the locks
    and the logs, and can make a name read differently from what it is)."""


class IdempotencyKeyReused(InvalidInput):
    """The `Idempotency-Key` was first used with a different request."""


class RoomStayTaken(AccessError):
    """Another request (in this process or another replica) made a stay of the room that
    overlaps these dates at the same moment: decide again with it (`RoomStays` does)."""

    def __init__(self, room: str, grant_id: int) -> None:
        self.grant_id = grant_id
        super().__init__(
            f"stay {grant_id} of {room} was made for these dates at the same moment: change "
            "it by its id"
        )


class ConcurrentChange(AccessError):
    """Another request changed the same grant at the same moment; read it again and retry."""
