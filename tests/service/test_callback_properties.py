"""A property-based run over the callback receiver (issue 19: "0 server errors"): hypothesis
posts generated forms (notify types, lockIds, MACs, records JSON with hostile values) to the
real bridge over HTTP; no answer is a 5xx and every read stays 200 afterwards.

The JSON API has its run in test_schemathesis.py; the callback is outside the OpenAPI schema
(TTLock's interface), so its forms are generated here.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from service.bridge import ROOM_1, RunningBridge
from service.test_callback import ROOM_1_MAC, now_ms
from service.test_callback_trust import READS

EXAMPLES = 300

_HUGE = st.integers(min_value=-(10**40), max_value=10**40)
_JSON_SCALARS = (
    st.none() | st.booleans() | _HUGE | st.floats(allow_nan=False) | st.text(max_size=30)
)
_ANY_JSON = st.recursive(
    _JSON_SCALARS,
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4)
    ),
    max_leaves=20,
)


_HOSTILE = st.one_of(
    st.sampled_from(
        [10**30, -(10**30), 2**63, -1, 0, 253_402_300_800_000, 1.7e12, "1" * 5000, "", True, []]
    ),
    _ANY_JSON,
)
"""Values found to hurt before (issue 19 item 6), and anything else JSON can hold."""


def _plausible_or(plausible: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    """Mostly a value TTLock could send, else a hostile one."""
    return st.one_of(plausible, plausible, _HOSTILE)


_DATES = st.integers(min_value=now_ms() - 86_400_000, max_value=now_ms() + 86_400_000)
_RECORD = st.fixed_dictionaries(
    {
        "lockId": _plausible_or(st.sampled_from([ROOM_1, 1_000_001, 232332])),
        "lockMac": _plausible_or(st.sampled_from([ROOM_1_MAC, "22:22:22:22:22:22", ""])),
        "recordType": _plausible_or(st.integers(min_value=0, max_value=300)),
        "lockDate": _plausible_or(_DATES),
    },
    optional={
        "recordId": _plausible_or(st.integers(min_value=1, max_value=2**62)),
        "recordTypeFromLock": _plausible_or(st.integers(min_value=0, max_value=300)),
        "success": _plausible_or(st.sampled_from([0, 1, "1"])),
        "username": _plausible_or(st.text(max_size=50)),
        "keyboardPwd": _plausible_or(st.from_regex(r"\A[0-9]{0,12}\Z")),
        "serverDate": _plausible_or(_DATES),
        "electricQuantity": _plausible_or(st.integers(min_value=-5, max_value=105)),
    },
)
_RECORDS_TEXT = st.one_of(
    st.lists(_RECORD, max_size=3).map(json.dumps),
    st.lists(_RECORD, max_size=3).map(json.dumps),
    st.integers(min_value=1, max_value=60_000).map(lambda depth: "[" * depth + "]" * depth),
    _ANY_JSON.map(json.dumps),
    st.text(max_size=200),
)
_FORM = st.fixed_dictionaries(
    {
        "notifyType": st.sampled_from(["1", "1", "1", "7", "", " 1 ", "2"]) | st.text(max_size=5),
        "lockId": st.sampled_from([str(ROOM_1), str(ROOM_1), "222", ""])
        | _HUGE.map(str)
        | st.text(max_size=5),
        "records": _RECORDS_TEXT,
    },
    optional={
        "lockMac": st.sampled_from([ROOM_1_MAC, ""]) | st.text(max_size=20),
        "admin": st.text(max_size=20),
    },
)


_DROP = st.sets(st.sampled_from(["notifyType", "lockId", "records"]), max_size=1)
"""A field the form leaves out (mostly none)."""


@pytest.mark.timeout(600)
def test_no_generated_callback_gets_a_server_error(bridge: RunningBridge) -> None:
    bridge.api.get("/api/v1/locks")  # known MACs: the run exercises parsing and state, not quota
    answers: set[int] = set()

    @given(form=_FORM, drop=_DROP)
    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        suppress_health_check=list(HealthCheck),
        database=None,
    )
    def never_a_server_error(form: dict[str, str], drop: set[str]) -> None:
        sent = {key: value for key, value in form.items() if key not in drop}
        response = bridge.anonymous.post("/ttlock/callback", data=sent)
        answers.add(response.status_code)
        assert response.status_code < 500, (sent, response.text)
        assert bridge.api.get("/api/v1/locks/room-1/state").status_code == 200

    never_a_server_error()

    assert {200, 400} <= answers  # the run reached both taken and refused posts
    assert [bridge.api.get(path).status_code for path in READS] == [200] * len(READS)
