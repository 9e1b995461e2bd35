"""The channel's pure parts: event types from the lock's method words, commands from payloads,
topics both ways, the reconnect delays."""

from __future__ import annotations

import pytest

from ttlock_bridge.channels.mqtt.commands import Command, read_command
from ttlock_bridge.channels.mqtt.link import retry_delays
from ttlock_bridge.channels.mqtt.payloads import EVENT_TYPES, event_type
from ttlock_bridge.channels.mqtt.topics import Topics
from ttlock_bridge.locks.event_text import method_word


@pytest.mark.parametrize(
    ("method", "expected"),
    [
        ("PIN", "keypad"),
        ("APP", "app"),
        ("CARD", "card"),
        ("HOTEL CARD", "card"),
        ("FINGER", "fingerprint"),
        ("REMOTE", "remote"),
        ("REMOTE UNLOCK", "remote"),
        ("KEY", "key"),
        ("AUTO LOCK", "locked"),
        ("REMOTE LOCK", "locked"),
        ("PIN LOCK", "locked"),
        ("LOCK BUTTON", "locked"),
        ("PIN REFUSED", "failed_attempt"),
        ("KEYPAD BLOCKED", "failed_attempt"),
        ("TAMPER", "alarm"),
        ("EVENT 67", "other"),
    ],
)
def test_event_types_from_method_words(method: str, expected: str) -> None:
    assert event_type(method) == expected


def test_every_record_type_maps_to_a_declared_event_type() -> None:
    for record_type in range(100):
        for success in (True, False):
            assert event_type(method_word(record_type, success=success)) in EVENT_TYPES


@pytest.mark.parametrize(
    ("payload", "expected"),
    [
        (b"UNLOCK", Command.UNLOCK),
        (b"LOCK", Command.LOCK),
        (b" LOCK\n", Command.LOCK),
        (b"unlock", None),
        (b"OPEN", None),
        (b"", None),
        (b"\xff\xfe", None),
        (b"UNLOCK" * 10, None),
        (None, None),
        (42, None),
    ],
)
def test_commands_are_exactly_lock_or_unlock(payload: object, expected: Command | None) -> None:
    assert read_command(payload) == expected


def test_topics_both_ways() -> None:
    topics = Topics("ttlock-bridge", "homeassistant")

    assert topics.door_of_command(topics.door_command("room-1")) == "room-1"
    assert topics.door_of_command("ttlock-bridge/door/a/b/set") is None
    assert topics.door_of_command("ttlock-bridge/door//set") is None
    assert topics.door_of_command("other/door/room-1/set") is None
    for ours in (
        topics.discovery("lock", "room-1_lock"),
        topics.door_state("room-1"),
        topics.room_state("room-1"),
    ):
        assert topics.is_ours_retained(ours), ours
    for other in (
        "homeassistant/lock/other/room-1_lock/config",
        "homeassistant/lock/ttlock-bridge/room-1_lock/state",
        "homeassistant/status",
        topics.status,
        topics.door_command("room-1"),
        topics.door_event("room-1"),
        "ttlock-bridge/door//state",
        "ttlock-bridge/door/a/b/state",
        "other/room/room-1/state",
    ):
        assert not topics.is_ours_retained(other), other


def test_reconnect_delays_double_up_to_a_minute() -> None:
    assert retry_delays() == [1.0, 2.0, 4.0, 8.0, 16.0, 32.0, 60.0]
