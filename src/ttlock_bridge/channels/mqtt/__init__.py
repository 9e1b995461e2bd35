"""The MQTT channel: Home Assistant discovery and plain JSON topics (aiomqtt).

`topics` names every topic, `payloads` and `discovery` build what is published (pure),
`commands` reads what arrives on a command topic, `link` keeps the broker connection, and
`channel` (`MqttChannel`) puts them together with the lock state and the access core.
"""

from ttlock_bridge.channels.mqtt.channel import MqttChannel

__all__ = ["MqttChannel"]
