"""The room block's pure rules: values seen -> request or status word; grant -> panel values."""

from __future__ import annotations

import datetime

import pytest

from ttlock_bridge.access import DoorStatus, GrantView, RoomIssue, StayOutcome
from ttlock_bridge.access.errors import (
    CodeClash,
    GrantNotFound,
    OfflineCodeChosen,
    OfflineCodeFixed,
    UnknownRoom,
)
from ttlock_bridge.access.passcode_policy import CodeNotOnKeypad, CodeTooSimple, CodeWrongLength
from ttlock_bridge.access.stays import StayOverlapsSeveral
from ttlock_bridge.access.time_window import EmptyWindow, UnreadableTime, WindowInPast
from ttlock_bridge.channels.knx import status_words
from ttlock_bridge.channels.knx.block import (
    BlockObject,
    IssueRequest,
    RoomBlock,
    panel_name,
    panel_other_code,
)
from ttlock_bridge.cloud import AuthError, GatewayError, TransportError


def block(**seen: object) -> RoomBlock:
    room = RoomBlock("room-12", {item: f"1/1/{index}" for index, item in enumerate(BlockObject)})
    room.seen.update({BlockObject[name.upper()]: value for name, value in seen.items()})  # type: ignore[misc]
    return room


def door(
    name: str,
    status: str,
    errcode: int | None = None,
    *,
    code: str = "583921",
    kind: str = "online",
) -> DoorStatus:
    return DoorStatus(name, 1, status, errcode, None, None, None, kind=kind, code=code)


def view(*doors: DoorStatus, code: str = "583921") -> GrantView:
    return GrantView(
        id=41,
        tag="7K2QF9",
        name="room-12",
        room="room-12",
        code=code,
        start_ms=0,
        end_ms=1,
        start_local="2026-11-23 15:00",
        end_local="2026-11-25 11:00",
        state="active",
        doors=list(doors),
        updated_at_ms=0,
    )


def test_everything_unseen_is_read_first() -> None:
    assert block().missing_inputs() == [
        BlockObject.CODE,
        BlockObject.FROM_DATE,
        BlockObject.FROM_TIME,
        BlockObject.TO_DATE,
        BlockObject.TO_TIME,
    ]
    assert block(code="", from_date=datetime.date(2026, 11, 23)).missing_inputs() == [
        BlockObject.FROM_TIME,
        BlockObject.TO_DATE,
        BlockObject.TO_TIME,
    ]


def test_dates_and_times_make_a_property_local_window() -> None:
    seen = block(
        code=" 583921 ",
        from_date=datetime.date(2026, 11, 23),
        from_time=datetime.time(14, 30, 15),
        to_date=datetime.date(2026, 11, 25),
        to_time=datetime.time(10, 0),
    )
    assert seen.issue_request() == IssueRequest("2026-11-23T14:30", "2026-11-25T10:00", "583921")


def test_a_date_without_its_time_leaves_the_time_to_the_config_and_empty_code_generates() -> None:
    seen = block(
        code="", from_date=datetime.date(2026, 11, 23), to_date=datetime.date(2026, 11, 25)
    )
    assert seen.issue_request() == IssueRequest(
        "2026-11-23",
        "2026-11-25",
        None,
        defaulted=(BlockObject.FROM_TIME, BlockObject.TO_TIME),
    )


def test_optional_time_objects_that_never_answered_are_absent_and_not_read_again() -> None:
    seen = block(
        code="", from_date=datetime.date(2026, 11, 23), to_date=datetime.date(2026, 11, 25)
    )
    assert seen.mark_unanswered_absent() == [BlockObject.FROM_TIME, BlockObject.TO_TIME]
    assert seen.missing_inputs() == []
    seen.saw(BlockObject.TO_TIME, datetime.time(10, 0), panel_wrote=False)  # a late answer
    assert seen.absent == {BlockObject.FROM_TIME}
    request = seen.issue_request()
    assert isinstance(request, IssueRequest)
    assert request.end == "2026-11-25T10:00"
    assert request.defaulted == (BlockObject.FROM_TIME,)


def test_the_code_the_bridge_issued_is_not_taken_for_a_typed_code() -> None:
    room = block(from_date=datetime.date(2026, 11, 23), to_date=datetime.date(2026, 11, 25))
    room.writeback(RoomIssue(StayOutcome.NEW, view(door("room-12", "active"))))
    room.saw(BlockObject.CODE, "583921", panel_wrote=False)  # the bridge's own write-back
    request = room.issue_request()
    assert isinstance(request, IssueRequest)
    assert request.code is None
    room.saw(BlockObject.CODE, "583921", panel_wrote=True)  # the desk typed it on purpose
    request = room.issue_request()
    assert isinstance(request, IssueRequest)
    assert request.code == "583921"


@pytest.mark.parametrize(
    "seen",
    [
        {},
        {"from_date": datetime.date(2026, 11, 23)},
        {"to_date": datetime.date(2026, 11, 25), "from_time": datetime.time(15, 0)},
    ],
)
def test_no_dates_is_refused_before_anything_is_asked(seen: dict[str, object]) -> None:
    assert block(**seen).issue_request() == status_words.ERR_NO_DATES


def test_writeback_shows_code_name_id_and_status_last() -> None:
    written = block().writeback(
        RoomIssue(StayOutcome.NEW, view(door("room-12", "active"), door("main", "active")))
    )
    assert list(written.items()) == [
        (BlockObject.CODE, "583921"),
        (BlockObject.NAME, "R12 2311-2511"),
        (BlockObject.GRANT_ID, 41),
        (BlockObject.STATUS, "OK 2 DOORS"),
    ]


def test_an_entrance_with_its_own_code_shows_it_in_the_name_object() -> None:
    entrance = door("main-entrance", "active", code="4830215", kind="offline")
    written = block().writeback(
        RoomIssue(StayOutcome.NEW, view(door("room-12", "active"), entrance))
    )
    assert list(written.items()) == [
        (BlockObject.CODE, "583921"),
        (BlockObject.NAME, "MAIN 4830215"),
        (BlockObject.GRANT_ID, 41),
        (BlockObject.STATUS, "OK 2 DOORS"),
    ]


def test_a_room_door_with_an_offline_code_keeps_it_in_the_code_object() -> None:
    room = door("room-12", "active", code="4830215", kind="offline")
    grant = view(room, door("main-entrance", "active"), code="4830215")
    block_12 = block()

    written = block_12.writeback(RoomIssue(StayOutcome.NEXT_STAY, grant), defaulted=True)

    assert written[BlockObject.CODE] == "4830215"
    assert written[BlockObject.NAME] == "MAIN 583921"  # the entrance takes the grant's code
    assert written[BlockObject.STATUS] == "OK NEXT STD"  # the word is the trigger's outcome
    assert block_12.issued_code == "4830215"  # not a typed code on the next trigger


def test_an_offline_code_not_issued_yet_shows_pending_beside_the_door() -> None:
    entrance = door("main-entrance", "pending", -3003, code="", kind="offline")
    written = block().writeback(
        RoomIssue(StayOutcome.NEW, view(door("room-12", "active"), entrance))
    )
    assert written[BlockObject.NAME] == "MAIN PENDING"
    assert written[BlockObject.STATUS] == "PENDING 1/2"


@pytest.mark.parametrize(
    ("door_name", "code", "shown"),
    [
        ("main-entrance", "4830215", "MAIN 4830215"),
        ("entrance_b", "1234567890", "ENT 1234567890"),
        ("gate", "", "GATE PENDING"),
        ("lobby", "12345678901234", "12345678901234"),
    ],
)
def test_another_doors_code_fits_fourteen_characters_with_its_door(
    door_name: str, code: str, shown: str
) -> None:
    assert panel_other_code(door_name, code) == shown
    assert len(shown) <= 14


@pytest.mark.parametrize(
    ("room", "name"),
    [("room-12", "R12 2311-2511"), ("suite", "suit 2311-2511"), ("7", "R7 2311-2511")],
)
def test_panel_names_fit_fourteen_characters(room: str, name: str) -> None:
    shown = panel_name(room, "2026-11-23 15:00", "2026-11-25 11:00")
    assert shown == name
    assert len(shown) <= 14


@pytest.mark.parametrize(
    ("doors", "word"),
    [
        ((door("a", "active"),), "OK 1 DOOR"),
        ((door("a", "active"), door("b", "active")), "OK 2 DOORS"),
        ((door("a", "active"), door("b", "pending", -3003)), "PENDING 1/2"),
        ((door("a", "pending"), door("b", "failed", -3002)), "ERR GATEWAY"),
        ((door("a", "failed", 10004), door("b", "active")), "ERR AUTH"),
        ((door("a", "failed", -1003),), "ERR CLOUD"),
        ((door("a", "failed", None),), "ERR CLOUD"),
    ],
)
def test_grant_status_words_come_from_door_statuses(
    doors: tuple[DoorStatus, ...], word: str
) -> None:
    assert status_words.for_grant(view(*doors)) == word


@pytest.mark.parametrize(
    ("outcome", "defaulted", "word"),
    [
        (StayOutcome.NEW, False, "OK 2 DOORS"),
        (StayOutcome.CHANGED, False, "OK CHANGED"),
        (StayOutcome.NEXT_STAY, False, "OK NEXT STAY"),
        (StayOutcome.NEW, True, "OK STD TIMES"),
        (StayOutcome.NEXT_STAY, True, "OK NEXT STD"),
        (StayOutcome.CHANGED, True, "OK CHG STD"),
    ],
)
def test_an_ok_says_what_happened_and_whether_a_default_was_used(
    outcome: StayOutcome, defaulted: bool, word: str
) -> None:
    doors = (door("a", "active"), door("b", "active"))
    assert status_words.for_grant(view(*doors), outcome, defaulted_times=defaulted) == word
    pending = (door("a", "active"), door("b", "pending", -3003))
    assert status_words.for_grant(view(*pending), outcome, defaulted_times=defaulted) == (
        "PENDING 1/2"
    )


@pytest.mark.parametrize(
    ("error", "word"),
    [
        (WindowInPast("x"), "ERR PAST"),
        (EmptyWindow("x"), "ERR DATES"),
        (UnreadableTime("x"), "ERR DATES"),
        (CodeWrongLength("x"), "ERR CODE"),
        (CodeTooSimple("x"), "ERR CODE"),
        (CodeNotOnKeypad("x"), "ERR CODE"),
        (CodeClash("x"), "ERR CLASH"),
        (OfflineCodeChosen("x"), "ERR CODE"),
        (OfflineCodeFixed("x"), "ERR OFFLINE"),
        (UnknownRoom("x"), "ERR INPUT"),
        (StayOverlapsSeveral("x"), "ERR INPUT"),
        (AuthError(10004, "x"), "ERR AUTH"),
        (GatewayError(-3002, "x"), "ERR GATEWAY"),
        (TransportError(None, "x"), "ERR CLOUD"),
        (GrantNotFound("x"), "ERR CLOUD"),
        (RuntimeError("x"), "ERR BRIDGE"),
    ],
)
def test_error_words_come_from_exception_classes(error: Exception, word: str) -> None:
    assert status_words.for_error(error) == word


def test_every_word_fits_the_panel() -> None:
    words = [
        value
        for name, value in vars(status_words).items()
        if name.isupper() and not name.startswith("_")
    ]
    assert words
    assert all(isinstance(word, str) and len(word) <= 14 for word in words)
    assert len("PENDING 99/99") <= 14
