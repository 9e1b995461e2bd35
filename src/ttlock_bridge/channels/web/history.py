"""A grant's history for its page: what operators did to it (the journal) and every time its
code opened one of its doors (lock records whose user name carries the grant's tag), newest
first. Synchronous: pages run it in a worker thread."""

from __future__ import annotations

from dataclasses import dataclass

from ttlock_bridge.access import GrantView
from ttlock_bridge.access.occupancy import USE_CLOCK_SLACK_MS
from ttlock_bridge.access.passcode_tag import TAG_MARKER
from ttlock_bridge.locks.event_text import describe
from ttlock_bridge.operations.journal import Journal
from ttlock_bridge.store import Store
from ttlock_bridge.store.events import uses_naming


@dataclass(frozen=True, slots=True)
class HistoryLine:
    """When (UTC ms), where (a door, or None for the grant as a whole), what, and who."""

    at_ms: int
    door: str | None
    what: str
    who: str


def grant_history(
    store: Store, journal: Journal, view: GrantView, door_names: dict[int, str]
) -> list[HistoryLine]:
    """`door_names` maps lockId to door name (the configuration's doors)."""
    lines = [
        HistoryLine(
            action.at_ms, action.door, _action_words(action.action, action.detail), action.operator
        )
        for action in journal.read(grant_id=view.id)
    ]
    locks = {door.lock_id for door in view.doors}
    with store.transaction() as session:
        uses = uses_naming(session, f"{TAG_MARKER}{view.tag}", view.start_ms - USE_CLOCK_SLACK_MS)
        for event in uses:
            if event.lock_id not in locks:
                continue
            lines.append(
                HistoryLine(
                    event.server_date_ms or event.lock_date_ms,
                    door_names.get(event.lock_id),
                    describe(
                        event.record_type,
                        success=event.success,
                        masked_code=event.masked_code,
                        who=None,
                    ),
                    "guest",
                )
            )
    return sorted(lines, key=lambda line: line.at_ms, reverse=True)


def _action_words(action: str, detail: str | None) -> str:
    words = action.replace("_", " ")
    return f"{words}: {detail}" if detail else words
