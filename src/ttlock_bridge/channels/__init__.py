"""Channels: thin adapters between the access core and the outside (REST, KNX, MQTT, web page).

They translate; they hold no business rules.
"""
