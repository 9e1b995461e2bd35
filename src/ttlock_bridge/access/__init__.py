"""The access rules: rooms, grants, passcode policy, time windows, reconciler and cleanup.

This layer knows no transport: channels call it, and it talks to the store and the cloud.
Start with `Access`.
"""

from ttlock_bridge.access.cleanup import CleanupItem, CleanupReport, DriftItem, DriftReport
from ttlock_bridge.access.core import Access
from ttlock_bridge.access.grants import GrantChanges, GrantRequest
from ttlock_bridge.access.news import GrantNews, GrantNewsSubscriber
from ttlock_bridge.access.occupancy import RoomOccupancy, RoomState
from ttlock_bridge.access.stays import RoomIssue, StayOutcome
from ttlock_bridge.access.views import DoorStatus, GrantView

__all__ = [
    "Access",
    "CleanupItem",
    "CleanupReport",
    "DoorStatus",
    "DriftItem",
    "DriftReport",
    "GrantChanges",
    "GrantNews",
    "GrantNewsSubscriber",
    "GrantRequest",
    "GrantView",
    "RoomIssue",
    "RoomOccupancy",
    "RoomState",
    "StayOutcome",
]
