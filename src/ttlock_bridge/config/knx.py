"""The `[knx]` section: how the bridge joins the KNX bus and where each room's block lives.

Kept apart from the other sections so the KNX channel's settings read as one unit. Group
addresses are three-level text (`1/1/0`); a room block is a base address plus offsets, the
defaults being the LogicMachine forum's layout (see docs/logicmachine.md).
"""

from __future__ import annotations

import re
from collections.abc import Collection
from pathlib import Path
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, model_validator

from ttlock_bridge.config.problems import Problem

_GROUP_ADDRESS = re.compile(r"(?P<main>\d{1,2})/(?P<middle>\d)/(?P<sub>\d{1,3})")
_LAST_REAL_MAIN_GROUP = 31
_LAST_VIRTUAL_MAIN_GROUP = 63
_LAST_MIDDLE_GROUP = 7
_LAST_SUB_GROUP = 255


def _check_group_address(text: str) -> str:
    match = _GROUP_ADDRESS.fullmatch(text)
    if match is None:
        raise ValueError('expected a three-level group address like "1/1/0"')
    main, middle, sub = int(match["main"]), int(match["middle"]), int(match["sub"])
    if main > _LAST_VIRTUAL_MAIN_GROUP or middle > _LAST_MIDDLE_GROUP or sub > _LAST_SUB_GROUP:
        raise ValueError("out of range: main 0-31, middle 0-7, sub 0-255")
    if main > _LAST_REAL_MAIN_GROUP:
        raise ValueError(
            "32/x/x and above are LogicMachine virtual objects that never reach the KNX bus: "
            "use a real address (0-31/x/x)"
        )
    return text


def _check_individual_address(text: str) -> str:
    parts = text.split(".")
    if len(parts) != 3 or not all(part.isdigit() for part in parts):
        raise ValueError('expected an individual address like "1.1.250"')
    area, line, device = (int(part) for part in parts)
    if area > 15 or line > 15 or device > 255:
        raise ValueError("out of range: area 0-15, line 0-15, device 0-255")
    return text


GroupAddressText = Annotated[str, AfterValidator(_check_group_address)]
IndividualAddressText = Annotated[str, AfterValidator(_check_individual_address)]
Offset = Annotated[int, Field(ge=0, le=_LAST_SUB_GROUP, strict=True)]


def split_group_address(text: str) -> tuple[int, int, int]:
    """`"1/1/9"` -> `(1, 1, 9)`; the text is assumed already validated."""
    main, middle, sub = text.split("/")
    return int(main), int(middle), int(sub)


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class KnxSecure(_Section):
    """KNX IP Secure, passed through to xknx from an ETS keyring export.

    The keyring's password is a secret, so it comes from the environment
    (`KNX_KEYRING_PASSWORD`), never from this file.
    """

    keyring: str = Field(min_length=1)
    user_id: int | None = Field(default=None, ge=2, le=127, strict=True)


class KnxOffsets(_Section):
    """Where each object of a room block sits, counted from the block's base address."""

    trigger: Offset = 0
    code: Offset = 1
    name: Offset = 2
    from_date: Offset = 3
    from_time: Offset = 4
    to_date: Offset = 5
    to_time: Offset = 6
    grant_id: Offset = 8
    status: Offset = 9

    @model_validator(mode="after")
    def _distinct(self) -> KnxOffsets:
        offsets = self.model_dump()
        seen: dict[int, str] = {}
        for name, offset in offsets.items():
            if offset in seen:
                raise ValueError(f"{name} and {seen[offset]} both use offset {offset}")
            seen[offset] = name
        return self


class KnxRoomBlock(_Section):
    """One room's block of group addresses: a base address and optional offset overrides."""

    base: GroupAddressText
    offsets: KnxOffsets = KnxOffsets()

    @model_validator(mode="after")
    def _fits_in_middle_group(self) -> KnxRoomBlock:
        sub = split_group_address(self.base)[2]
        largest = max(self.offsets.model_dump().values())
        if sub + largest > _LAST_SUB_GROUP:
            raise ValueError(
                f"base {self.base} plus offset {largest} passes x/x/255: "
                "move the base down or the offsets in"
            )
        return self


class KnxDoorObjects(_Section):
    """What the bridge writes for a door; each object is optional."""

    state: GroupAddressText | None = None  # 1.001, 1 = locked
    battery: GroupAddressText | None = None  # 5.001 percent
    event: GroupAddressText | None = None  # 16.000 last event text, never a passcode
    # 1.001, a write of 1 opens the door. Off unless set: plain KNX has no authentication,
    # so anyone on the bus could open the door; prefer KNX IP Secure when you set it.
    unlock: GroupAddressText | None = None


class KnxSettings(_Section):
    """How the bridge joins the bus (tunnelling by default) and the objects it serves."""

    connection: Literal["tunneling", "tunneling_tcp", "routing"] = "tunneling"
    gateway_ip: str | None = None
    gateway_port: int = Field(default=3671, ge=1, le=65535, strict=True)
    local_ip: str | None = None
    individual_address: IndividualAddressText | None = None
    multicast_group: str = "224.0.23.12"
    multicast_port: int = Field(default=3671, ge=1, le=65535, strict=True)
    secure: KnxSecure | None = None
    rooms: dict[str, KnxRoomBlock] = {}
    doors: dict[str, KnxDoorObjects] = {}

    @model_validator(mode="after")
    def _tunnel_needs_a_gateway(self) -> KnxSettings:
        if self.connection != "routing" and self.gateway_ip is None:
            raise ValueError("gateway_ip is required for tunnelling: the LogicMachine's IP address")
        if self.connection == "tunneling" and self.secure is not None:
            raise ValueError('KNX IP Secure tunnelling runs over TCP: use "tunneling_tcp"')
        return self

    def room_addresses(self, room: str) -> dict[str, str]:
        """Each object of a room's block as group address text: `{"trigger": "1/1/0", ...}`."""
        block = self.rooms[room]
        main, middle, sub = split_group_address(block.base)
        return {
            name: f"{main}/{middle}/{sub + offset}"
            for name, offset in block.offsets.model_dump().items()
        }


def knx_cross_check(
    knx: KnxSettings, rooms: Collection[str], doors: Collection[str], file: Path
) -> list[Problem]:
    """The `[knx]` section names known rooms and doors and uses each group address once."""
    problems = [
        Problem(file, f"knx.rooms.{room}", f"unknown room '{room}': define [rooms.{room}]", room)
        for room in knx.rooms
        if room not in rooms
    ]
    problems += [
        Problem(file, f"knx.doors.{door}", f"unknown door '{door}': define [doors.{door}]", door)
        for door in knx.doors
        if door not in doors
    ]
    owner: dict[str, str] = {}
    for key, address in _every_address(knx):
        first = owner.setdefault(address, key)
        if first != key:
            problems.append(
                Problem(
                    file,
                    key,
                    f"group address {address} is already used by {first}: "
                    "give each object its own address",
                    address,
                )
            )
    return problems


def _every_address(knx: KnxSettings) -> list[tuple[str, str]]:
    """(key path, group address) for every object the section defines, in file order."""
    pairs = [
        (f"knx.rooms.{room}.{name}", address)
        for room in knx.rooms
        for name, address in knx.room_addresses(room).items()
    ]
    for door, objects in knx.doors.items():
        pairs += [
            (f"knx.doors.{door}.{name}", address)
            for name, address in objects.model_dump().items()
            if address is not None
        ]
    return pairs
