"""The board (`/`): every room as a card, filtered; its cards one by one for live refreshes;
and the stream of live news (`/live`)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from fastapi import APIRouter, Path, Query, Request
from fastapi.responses import StreamingResponse
from starlette.responses import Response

from ttlock_bridge.access.errors import UnknownRoom
from ttlock_bridge.channels.web.auth import Operator, OperatorScreen
from ttlock_bridge.channels.web.cards import RoomCard, Show, door_facts, room_cards
from ttlock_bridge.channels.web.desk import DeskDep
from ttlock_bridge.channels.web.errors import NotFound
from ttlock_bridge.channels.web.live import LiveNews
from ttlock_bridge.channels.web.render import SECURITY_HEADERS

router = APIRouter(include_in_schema=False)


@dataclass(frozen=True, slots=True)
class Board:
    """The rooms the filter shows, and how many rooms each filter shows."""

    cards: list[RoomCard]
    counts: dict[Show, int]


RoomName = Annotated[str, Path(pattern=r"^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$")]
DoorName = RoomName


@router.get("/")
async def board(
    desk: DeskDep, screen: OperatorScreen, show: Annotated[Show, Query()] = Show.ALL
) -> Response:
    """Streamed: the page's head goes out before the rooms are read (see `Pages.stream`)."""

    async def load_board() -> Board:
        cards = room_cards(desk, await desk.access.occupancy.rooms())
        return Board(
            cards=[card for card in cards if card.shown(show)],
            counts={each: sum(card.shown(each) for card in cards) for each in Show},
        )

    return screen.stream("board.html", load_board=load_board, show=show, filters=list(Show))


@router.get("/fragments/rooms/{room}")
async def room_fragment(room: RoomName, desk: DeskDep, screen: OperatorScreen) -> Response:
    try:
        occupancy = await desk.access.occupancy.room(room)
    except UnknownRoom:
        return Response("unknown room", status_code=404, media_type="text/plain")
    [card] = room_cards(desk, [occupancy])
    return screen.show("room_card.html", card=card)


@router.get("/fragments/doors/{door}/facts")
async def door_facts_fragment(door: DoorName, desk: DeskDep, screen: OperatorScreen) -> Response:
    """A door's battery and gateway, as every chip of that door shows them: what a page
    refreshes when the door's lock reports news (one fetch, however many rooms share it)."""
    if door not in desk.config.doors:
        raise NotFound(f"There is no door {door!r}.")
    return screen.show("door_facts.html", facts=door_facts(desk, door))


@router.get("/fragments/session")
async def session_fragment(_operator: Operator) -> Response:
    """204 while the browser is signed in, else 401: what a page asks when its live stream
    fails, to tell a server that is away from a session that ended."""
    return Response(status_code=204, headers=SECURITY_HEADERS)


@router.get("/live")
async def live(request: Request, _operator: Operator) -> StreamingResponse:
    news: LiveNews = request.app.state.live
    last = request.headers.get("last-event-id", "")
    stream = news.stream(last_seen=int(last) if last.isdigit() and len(last) < 19 else None)
    headers = {**SECURITY_HEADERS, "X-Accel-Buffering": "no"}
    return StreamingResponse(stream, media_type="text/event-stream", headers=headers)
