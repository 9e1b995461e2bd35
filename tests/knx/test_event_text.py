"""The door event object's text: 14 ASCII characters, method first, then the grant's or user's
name (transliterated, never `?`), never the code; and end to end, a keypad use on the simulated
lock, taken in as TTLock's callback, reaches the panel as such a text over knxd."""

from __future__ import annotations

import json
import time

import pytest

from ttlock_bridge.access import GrantRequest
from ttlock_bridge.channels.knx.dpt import Dpt
from ttlock_bridge.channels.knx.event_text import event_text, to_ascii
from ttlock_bridge.clock import wall_clock_ms
from ttlock_bridge.locks import Locks
from ttlock_bridge.locks.event_text import method_word
from ttlock_bridge.store import open_store

from .conftest import Bridge
from .panel import Panel
from .site import ROOM_1
from .test_tunnelling import days_from_today

EVENT = "3/1/2"


@pytest.mark.parametrize(
    ("name", "ascii_name"),
    [
        ("Zoë", "Zoe"),
        ("Øystein", "Oystein"),
        ("Łukasz", "Lukasz"),
        ("Müller-Straße", "Muller-Strasse"),
        ("Дмитрий", "Dmitrij"),
        ("Σωκράτης", "Sokratis"),
        ("Đorđe Æbelø", "Dorde AEbelo"),
        ("José  Núñez", "Jose Nunez"),
        ("李", ""),
    ],
)
def test_names_are_transliterated_never_question_marks(name: str, ascii_name: str) -> None:
    assert to_ascii(name) == ascii_name


@pytest.mark.parametrize(
    ("method", "who", "text"),
    [
        ("PIN", "R1 Smith", "PIN R1 Smith"),
        ("PIN", "Smith 23-25/11 #tb-7K2QF9", "PIN Smith"),  # our tag and day label dropped
        ("PIN", "Zoë 23-25/11 #tb-7K2QF9", "PIN Zoe"),
        ("PIN", "Müller-Straße 01/12-03/12 #tb-7K2QF9", "PIN Muller-Str"),
        ("CARD", "Øystein", "CARD Oystein"),
        ("FINGER", "Łukasz", "FINGER Lukasz"),
        ("APP", "Дмитрий", "APP Dmitrij"),
        ("PIN", "李 23-25/11 #tb-7K2QF9", "PIN 23-25/11"),  # the stay still recognisable
        ("PIN", "李", "PIN"),
        ("REMOTE UNLOCK", None, "REMOTE UNLOCK"),
        ("AUTO LOCK", None, "AUTO LOCK"),
        ("PIN REFUSED", None, "PIN REFUSED"),
    ],
)
def test_the_text_puts_the_method_first_and_fits_fourteen_ascii_characters(
    method: str, who: str | None, text: str
) -> None:
    composed = event_text(method, who, "long text")
    assert composed == text
    assert len(composed) <= 14
    assert composed.isascii()


def test_every_method_word_leaves_room_for_a_name() -> None:
    for record_type in range(70):
        assert len(method_word(record_type, success=True)) <= 14


def test_news_without_a_method_fall_back_to_the_long_text_transliterated_and_cut() -> None:
    assert event_text(None, None, "fingerprint (Zoë)") == "fingerprint (Z"
    assert event_text(None, None, None) is None


async def test_a_guests_keypad_use_reaches_the_panel_as_method_and_name(
    bridge: Bridge, panel: Panel
) -> None:
    config = bridge.access.config
    store = open_store(config.store_url)
    locks = Locks(config, store, bridge.cloud, wall_clock_ms)
    locks.subscribe(bridge.channel)
    grant = await bridge.access.grants.create(
        GrantRequest(
            start=f"{days_from_today(0)}T00:00",
            end=f"{days_from_today(2)}",
            room="room-1",
            name="Zoë Øystein",
        )
    )
    typed = bridge.simulator.control(f"locks/{ROOM_1}/keypad", {"code": grant.code})
    assert typed["opened"]
    lock = next(lock for lock in bridge.simulator.state()["locks"] if lock["lockId"] == ROOM_1)
    record = {**typed["record"], "lockMac": lock["lockMac"], "electricQuantity": 80}
    form = {
        "notifyType": "1",
        "lockId": str(ROOM_1),
        "lockMac": lock["lockMac"],
        "records": json.dumps([record]),
    }

    started = time.monotonic()
    await locks.intake.receive(form)

    text = await panel.next_value(EVENT, Dpt.TEXT)
    assert text == "PIN Zoe Oystei"
    assert grant.code not in str(text)
    assert time.monotonic() - started < 5
    store.close()
