"""Every MQTT topic the channel uses, named once.

Plain topics live under the configured `base_topic` (default `ttlock-bridge`):

| topic | retained | payload |
|---|---|---|
| `<base>/status` | yes | `online`, or `offline` (the last will, and at a clean stop) |
| `<base>/door/<door>/state` | yes | the door's state, JSON (payloads.py) |
| `<base>/door/<door>/event` | no | one lock event, JSON |
| `<base>/door/<door>/set` | (in) | `LOCK` or `UNLOCK` |
| `<base>/door/<door>/error` | no | why a command was refused or failed, JSON |
| `<base>/room/<room>/state` | yes | the room's state, JSON |

Discovery topics are Home Assistant's per-component form,
`<prefix>/<component>/<node_id>/<object_id>/config`, with the base topic as `node_id`: the form
every Home Assistant release understands, and openHAB and ioBroker too
(shared/reference/home-assistant-mqtt.md, "Two discovery forms"). Door and room names are
`[A-Za-z0-9_-]` (config), so they are valid topic IDs as they are.
"""

from __future__ import annotations

from dataclasses import dataclass

ONLINE = "online"
OFFLINE = "offline"


@dataclass(frozen=True, slots=True)
class Topics:
    """The topics of one bridge: `base` (its plain topics and discovery node id) and the
    Home Assistant discovery `prefix`."""

    base: str
    prefix: str

    @property
    def status(self) -> str:
        """The bridge's availability: retained `online`, last will `offline`."""
        return f"{self.base}/status"

    @property
    def birth(self) -> str:
        """Home Assistant's birth and will messages (`online` when it starts)."""
        return f"{self.prefix}/status"

    @property
    def commands(self) -> str:
        """The subscription that receives every door's commands."""
        return f"{self.base}/door/+/set"

    @property
    def our_discovery(self) -> str:
        """The subscription that finds every discovery message this bridge ever published."""
        return f"{self.prefix}/+/{self.base}/+/config"

    @property
    def sweep_done(self) -> str:
        """A marker the channel sends itself after subscribing to `our_discovery`: it arrives
        after the broker has delivered the retained messages that subscription matches."""
        return f"{self.base}/bridge/sweep"

    def door_state(self, door: str) -> str:
        return f"{self.base}/door/{door}/state"

    def door_event(self, door: str) -> str:
        return f"{self.base}/door/{door}/event"

    def door_command(self, door: str) -> str:
        return f"{self.base}/door/{door}/set"

    def door_error(self, door: str) -> str:
        return f"{self.base}/door/{door}/error"

    def room_state(self, room: str) -> str:
        return f"{self.base}/room/{room}/state"

    def discovery(self, component: str, object_id: str) -> str:
        return f"{self.prefix}/{component}/{self.base}/{object_id}/config"

    def door_of_command(self, topic: str) -> str | None:
        """`<base>/door/room-1/set` -> `room-1`; None for any other topic."""
        head, door, tail = f"{self.base}/door/", None, "/set"
        if topic.startswith(head) and topic.endswith(tail):
            door = topic[len(head) : -len(tail)]
        return door if door and "/" not in door else None

    def discovery_object(self, topic: str) -> tuple[str, str] | None:
        """`<prefix>/lock/<base>/room-1_lock/config` -> `("lock", "room-1_lock")`; None for a
        topic that is not one of this bridge's discovery topics."""
        parts = topic.split("/")
        if len(parts) != 5 or parts[0] != self.prefix or parts[2] != self.base:
            return None
        if parts[4] != "config":
            return None
        return parts[1], parts[3]
