"""The real Home Assistant against the bridge: the MQTT tests' broker and bridge fixtures."""

from mqtt.conftest import mosquitto, mqtt_settings  # noqa: F401 - fixtures
from service.conftest import start_bridge  # noqa: F401 - fixture
