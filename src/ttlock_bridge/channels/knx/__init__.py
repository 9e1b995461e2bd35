"""The LogicMachine / KNX channel: the forum's per-room group-address blocks, without Lua.

The bridge joins the bus over KNX/IP (tunnelling or routing) with xknx, issues a room's grant
when the panel fires the block's trigger, and writes the code, name, grant id and a short status
word back. See docs/logicmachine.md.
"""

from ttlock_bridge.channels.knx.bus import KnxSetupError
from ttlock_bridge.channels.knx.channel import KnxChannel
from ttlock_bridge.config.knx import KnxSettings

__all__ = ["KnxChannel", "KnxSettings", "KnxSetupError"]
