"""Issuing by room on two replicas at once (`access/stays.py`): the store decides, so the same
room issued on both at the same instant is one stay, never two guests' codes for one room."""

from __future__ import annotations

import asyncio

from replicas.replicas import TwoReplicas, in_days
from ttlock_bridge.access import StayOutcome


async def test_the_same_room_issued_on_both_replicas_at_once_is_one_stay(
    replicas_on_postgresql: TwoReplicas,
) -> None:
    replicas = replicas_on_postgresql
    start, end = in_days(3), in_days(4)

    for room in ("room-1", "room-2"):
        issued = await asyncio.gather(
            replicas.one.stays.issue(room, start, end, name="Guest"),
            replicas.two.stays.issue(room, start, end, name="Guest"),
        )

        assert sorted(issue.outcome for issue in issued) == [
            StayOutcome.CHANGED,
            StayOutcome.NEW,
        ]
        [stay] = await replicas.one.grants.find(room=room)
        assert {issue.grant.id for issue in issued} == {stay.id}
