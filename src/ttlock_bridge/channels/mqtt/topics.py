"""Every MQTT topic the channel uses, named once.

Plain topics live under the configured `base_topic` (default `ttlock-bridge`):

| topic | retained | payload |
|---|---|---|
| `<base>/status` | yes | `online` (sent again to end a sweep), `offline` (last will, clean stop) |
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
    def our_retained(self) -> tuple[str, ...]:
        """The subscriptions that find every retained message this bridge ever published
        besides its status: discovery, door states, room states (never the command topics,
        which a broker may deliver twice to overlapping subscriptions)."""
        return (
            f"{self.prefix}/+/{self.base}/+/config",
            f"{self.base}/door/+/state",
            f"{self.base}/room/+/state",
        )

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

    def is_ours_retained(self, topic: str) -> bool:
        """True for a topic that `our_retained` matches: `<prefix>/lock/<base>/room-1_lock/config`,
        `<base>/door/room-1/state`, `<base>/room/room-1/state` (base and prefix are one level)."""
        parts = topic.split("/")
        if len(parts) == 5 and all(parts):
            return (parts[0], parts[2], parts[4]) == (self.prefix, self.base, "config")
        if len(parts) == 4 and all(parts):
            return parts[0] == self.base and parts[1] in ("door", "room") and parts[3] == "state"
        return False
