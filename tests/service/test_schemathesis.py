"""The OpenAPI schema is the contract: schemathesis generates requests for every operation
(valid and invalid ones, with the token) against a live bridge and fails on any 5xx answer or
response that the schema does not describe.

schemathesis' lazy pytest fixture loader does not work with this pytest version, so the test
drives its Python API: one hypothesis run per operation and generation mode.

`positive_data_acceptance` (schema-valid input must get a 2xx) is left out on purpose: the
schema cannot say that a grant's dates must be readable, in the future and in order, or that a
door name must exist; those requests rightly get a 4xx with a hint.
"""

from __future__ import annotations

from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.errors import Unsatisfiable
from schemathesis import Case, GenerationMode
from schemathesis.core.result import Ok
from schemathesis.specs.openapi.checks import positive_data_acceptance

from service.bridge import API_TOKEN, RunningBridge

EXAMPLES_PER_OPERATION = 20


@pytest.mark.timeout(300)
@pytest.mark.parametrize("mode", [GenerationMode.POSITIVE, GenerationMode.NEGATIVE])
def test_every_operation_honours_the_schema(bridge: RunningBridge, mode: GenerationMode) -> None:
    schema = schemathesis.openapi.from_url(f"{bridge.url}/openapi.json")
    failures: dict[str, str] = {}
    operations = [result.ok() for result in schema.get_all_operations() if isinstance(result, Ok)]
    assert len(operations) >= 25

    for operation in operations:

        @given(data=st.data())
        @settings(
            max_examples=EXAMPLES_PER_OPERATION,
            deadline=None,
            suppress_health_check=list(HealthCheck),
            database=None,
        )
        def honours_schema(data: st.DataObject) -> None:
            case: Case[Any] = data.draw(operation.as_strategy(generation_mode=mode))  # noqa: B023
            case.call_and_validate(
                headers={"Authorization": f"Bearer {API_TOKEN}"},
                excluded_checks=[positive_data_acceptance],
            )

        try:
            honours_schema()
        except Unsatisfiable:
            assert mode is GenerationMode.NEGATIVE  # nothing to get wrong in this operation
        except BaseException as failure:  # schemathesis raises exception groups; collect all
            failures[operation.label] = f"{type(failure).__name__}: {failure}"[:2000]

    assert failures == {}, "\n\n".join(f"{label}: {text}" for label, text in failures.items())
