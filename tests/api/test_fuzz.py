"""Fuzzing: schemathesis generates requests for every operation of the app's OpenAPI
(valid and invalid data, as an administrator) on SQLite and PostgreSQL, except the event
stream (``/api/events`` never ends; tests/api has its own tests). No answer may be
a server error, and every answer must match what the OpenAPI says (status and body).

The number of examples is bounded (``SIGNOFF_FUZZ_EXAMPLES``, default 6 per operation
and mode) and derandomized, so the job is repeatable and takes about a minute.
"""

from __future__ import annotations

import os
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from schemathesis import Case, GenerationMode
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_schema_conformance,
    status_code_conformance,
)

from tests.api.conftest import Api

EXAMPLES = int(os.environ.get("SIGNOFF_FUZZ_EXAMPLES", "6"))
CHECKS: list[Any] = [not_a_server_error, status_code_conformance, content_type_conformance,
                     response_schema_conformance]


def _streams(raw: dict[str, Any]) -> bool:
    """An event stream never ends, so a client waiting for the whole body would hang."""
    ok = (raw.get("responses") or {}).get("200") or {}
    return "text/event-stream" in (ok.get("content") or {})


def test_fuzz_every_operation(api: Api) -> None:
    app = api.client.app
    schema = schemathesis.openapi.from_asgi("/openapi.json", app)
    headers = api.as_("admin").headers
    operations = [result.ok() for result in schema.get_all_operations()]
    streams = [op for op in operations if _streams(op.definition.raw)]
    operations = [op for op in operations if op not in streams]
    counts = {"cases": 0}
    failures: list[str] = []

    for operation in operations:
        strategy = st.one_of(operation.as_strategy(GenerationMode.POSITIVE),
                             operation.as_strategy(GenerationMode.NEGATIVE))

        @given(case=strategy)
        @settings(max_examples=2 * EXAMPLES, deadline=None, database=None, derandomize=True,
                  phases=[Phase.explicit, Phase.generate],
                  suppress_health_check=list(HealthCheck))
        def run(case: Case) -> None:
            counts["cases"] += 1
            kwargs = case.as_transport_kwargs(base_url="http://testserver", headers=headers)
            kwargs.pop("cookies", None)
            request = api.client.build_request(**kwargs)
            try:
                request.read()
            except (AttributeError, TypeError):
                # The client itself cannot encode this case (a negative multipart case
                # whose "file" is a number): no HTTP request could carry it.
                return
            response = api.client.send(request)
            try:
                case.validate_response(response, checks=CHECKS)
            except (AssertionError, BaseExceptionGroup) as exc:  # the checks that failed
                failures.append(f"{case.method} {case.formatted_path} -> "
                                f"{response.status_code}: {str(exc)[:600]}")

        run()
    print(f"schemathesis: {len(operations)} operations, {counts['cases']} cases, "
          f"{len(failures)} failures (not fuzzed: {len(streams)} event stream, "
          f"{', '.join(op.label for op in streams)})")
    assert not failures, "\n".join(failures[:20])


if not hasattr(schemathesis, "openapi"):  # pragma: no cover
    pytest.skip("schemathesis 4 is required", allow_module_level=True)
