"""What the bridge knows of each door: the door directory, lock state, the callback intake,
event descriptions and remote commands, behind one facade (`Locks`).

Knows nothing of rooms or grants (that is `access/`) nor of any channel: news leaves through
the `LockNewsSubscriber` protocol of `locks.news`.
"""

from ttlock_bridge.locks.facade import Locks
from ttlock_bridge.locks.news import LockNews, LockNewsSubscriber

__all__ = ["LockNews", "LockNewsSubscriber", "Locks"]
