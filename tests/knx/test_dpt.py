"""DPT encode/decode through xknx: the byte layouts the LogicMachine puts on the bus."""

from __future__ import annotations

import datetime

import pytest
from xknx.dpt.payload import DPTArray, DPTBinary

from ttlock_bridge.channels.knx.dpt import Dpt, UnreadableValue, Value, decode, encode


@pytest.mark.parametrize(
    ("dpt", "value", "wire"),
    [
        (Dpt.DATE, datetime.date(2026, 6, 10), DPTArray((0x0A, 0x06, 0x1A))),
        (Dpt.TIME, datetime.time(14, 0), DPTArray((0x0E, 0x00, 0x00))),
        (Dpt.COUNT, 24242, DPTArray((0x00, 0x00, 0x5E, 0xB2))),
        (Dpt.SWITCH, True, DPTBinary(1)),
        (Dpt.SWITCH, False, DPTBinary(0)),
        (Dpt.PERCENT, 100, DPTArray((0xFF,))),
        (Dpt.TEXT, "OK 2 DOORS", DPTArray(b"OK 2 DOORS\0\0\0\0")),
    ],
)
def test_values_match_the_documented_wire_format(dpt: Dpt, value: Value, wire: object) -> None:
    assert encode(dpt, value) == wire
    assert decode(dpt, encode(dpt, value)) == value


def test_text_is_cut_to_fourteen_characters() -> None:
    assert decode(Dpt.TEXT, encode(Dpt.TEXT, "PIN R12 main entrance")) == "PIN R12 main e"


def test_a_malformed_payload_is_unreadable_not_a_crash() -> None:
    with pytest.raises(UnreadableValue):
        decode(Dpt.DATE, DPTArray((0x00, 0x0D, 0x1A)))  # day 0, month 13
    with pytest.raises(UnreadableValue):
        decode(Dpt.TIME, DPTArray((0x01,)))


def test_wrong_python_types_are_refused() -> None:
    with pytest.raises(TypeError):
        encode(Dpt.DATE, "2026-11-23")
    with pytest.raises(TypeError):
        encode(Dpt.COUNT, True)
