"""The KNX datapoint types the channel speaks, as plain Python values, encoded by xknx.

Values cross this module as `bool`, `int`, `str`, `datetime.date` and `datetime.time`; the rest
of the channel never sees xknx's `Switch`, `KNXDate` or `KNXTime`.
"""

from __future__ import annotations

import datetime
from enum import Enum

from xknx.dpt.dpt_1 import DPTSwitch, Switch
from xknx.dpt.dpt_5 import DPTScaling
from xknx.dpt.dpt_10 import DPTTime, KNXTime
from xknx.dpt.dpt_11 import DPTDate, KNXDate
from xknx.dpt.dpt_12 import DPTValue4Ucount
from xknx.dpt.dpt_16 import DPTString
from xknx.dpt.payload import DPTArray, DPTBinary
from xknx.exceptions import ConversionError, CouldNotParseTelegram

Value = bool | int | str | datetime.date | datetime.time
Payload = DPTArray | DPTBinary

TEXT_LENGTH = 14
"""DPT 16.000 carries at most 14 ASCII characters."""


class UnreadableValue(ValueError):
    """A telegram's payload does not decode as the object's datapoint type."""


class Dpt(Enum):
    """The datapoint types of the room block and the door objects."""

    SWITCH = "1.001"
    PERCENT = "5.001"
    TIME = "10.001"
    DATE = "11.001"
    COUNT = "12.001"
    TEXT = "16.000"


def encode(dpt: Dpt, value: Value) -> Payload:
    """A Python value as the payload of a group write; text longer than 14 is cut."""
    match dpt:
        case Dpt.SWITCH:
            return DPTSwitch.to_knx(Switch.ON if value else Switch.OFF)
        case Dpt.PERCENT:
            return DPTScaling.to_knx(_int(value))
        case Dpt.TIME:
            if not isinstance(value, datetime.time):
                raise TypeError(f"10.001 needs a time, not {type(value).__name__}")
            return DPTTime.to_knx(KNXTime.from_time(value))
        case Dpt.DATE:
            if not isinstance(value, datetime.date):
                raise TypeError(f"11.001 needs a date, not {type(value).__name__}")
            return DPTDate.to_knx(KNXDate.from_date(value))
        case Dpt.COUNT:
            return DPTValue4Ucount.to_knx(_int(value))
        case Dpt.TEXT:
            return DPTString.to_knx(str(value)[:TEXT_LENGTH])


def decode(dpt: Dpt, payload: Payload) -> Value:
    """A received payload as a Python value; raise `UnreadableValue` when it is malformed."""
    try:
        match dpt:
            case Dpt.SWITCH:
                return DPTSwitch.from_knx(payload) is Switch.ON
            case Dpt.PERCENT:
                return DPTScaling.from_knx(payload)
            case Dpt.TIME:
                return DPTTime.from_knx(payload).as_time()
            case Dpt.DATE:
                return DPTDate.from_knx(payload).as_date()
            case Dpt.COUNT:
                return int(DPTValue4Ucount.from_knx(payload))
            case Dpt.TEXT:
                return DPTString.from_knx(payload)
    except (ConversionError, CouldNotParseTelegram, ValueError) as error:
        raise UnreadableValue(f"not a valid {dpt.value} value") from error


def _int(value: Value) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"expected an integer, not {type(value).__name__}")
    return value
