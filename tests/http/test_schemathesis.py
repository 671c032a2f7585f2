"""Property-based tests of every operation against our own OpenAPI description.

The schema is read from an app that never touches its database (building the OpenAPI
document needs none); cases then run against the test's own app and freshly migrated
database, on every backend, with a real API key so that writes are exercised past 401.
The stateful test follows the document's links: a source, a figure citing it, reads,
revisions, history, retraction.
"""

import asyncio
import gzip
import os
from collections import Counter
from typing import Any

import pytest
import schemathesis
from fastapi import FastAPI
from hypothesis import HealthCheck, settings
from schemathesis.specs.openapi.checks import positive_data_acceptance

from app.api.deps import runtime_of
from app.auth.models import Scope
from app.auth.ratelimit import WriteRate
from app.core.settings import Settings
from app.main import create_app
from app.shared.periods import EmptyPeriodError, PeriodError, parse_period
from tests.databases import Databases
from tests.helpers import close_app, new_key

# A small fixed-seed run in the suite; `make fuzz` sets FUZZ_EXAMPLES higher, and
# FUZZ_SEED=N (with pytest's --hypothesis-seed=N) draws other cases than the fixed ones.
MAX_EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "20"))
SETTINGS = settings(
    max_examples=MAX_EXAMPLES,
    derandomize="FUZZ_SEED" not in os.environ,
    deadline=None,
    suppress_health_check=list(HealthCheck),
)


@schemathesis.serializer("application/gzip", "application/x-gzip")
def _gzipped(_context: schemathesis.SerializationContext, value: Any) -> bytes:
    """Imports accept gzip-compressed files: send the generated text compressed."""
    raw = value if isinstance(value, bytes) else str(value).encode()
    return gzip.compress(raw)


schema = schemathesis.openapi.from_asgi(
    "/openapi.json", create_app(Settings(database_url="sqlite:///:memory:"))
)


# Whether a write is valid depends on what the store holds (codes that exist, a source
# that exists) and on rules across fields (a unit that fits the measure) that JSON Schema
# cannot state: writes that fit the schema may still be refused with a 422 listing every
# problem (tests/observations/test_writes.py). Every other check runs on writes too.
WRITES_NEED_MORE_THAN_THE_SCHEMA = [positive_data_acceptance]
# So does a read whose period interval ends before it starts (`_reversed_period`), and
# one with a NUL character in a query value (`_with_nul`).


def _reversed_period(case: schemathesis.Case[Any]) -> bool:
    """A period interval whose end comes first: the pattern (a regular expression) cannot
    order its two ends, and the answer is a 422 that says so (tests/http/test_errors.py)."""
    query = case.query or {}
    for name in ("period", "startPeriod", "endPeriod"):
        given = query.get(name)
        if not isinstance(given, str):
            continue
        try:
            parse_period(given)
        except EmptyPeriodError:
            return True
        except PeriodError:
            continue
    return False


def _with_nul(case: schemathesis.Case[Any]) -> bool:
    """A query value with a NUL character: no parameter takes one, and the query guard
    answers a 422 that says so (`app/http/query_guard.py`); JSON Schema cannot say it."""
    values = [
        item
        for value in (case.query or {}).values()
        for item in (value if isinstance(value, list) else [value])
    ]
    return any("\x00" in str(item) for item in values)


def _excluded(case: schemathesis.Case[Any]) -> list[Any]:
    if case.method.upper() != "GET" or _reversed_period(case) or _with_nul(case):
        return WRITES_NEED_MORE_THAN_THE_SCHEMA
    return []


@pytest.fixture
def fuzzed_app(app: FastAPI) -> FastAPI:
    # Thousands of writes with one key: the rate limit is tested elsewhere.
    runtime_of(app).write_rate = WriteRate.parse("1000000/minute")
    return app


@schema.parametrize()
@SETTINGS
def test_api_conforms_to_its_schema(
    case: schemathesis.Case[Any], fuzzed_app: FastAPI, admin_key: str
) -> None:
    case.call_and_validate(
        app=fuzzed_app,
        headers={"Authorization": f"Bearer {admin_key}"},
        excluded_checks=_excluded(case),
    )


def test_stateful_links_hold(databases: Databases) -> None:
    seen: Counter[tuple[str, int]] = Counter()

    class Scenario(schema.as_state_machine()):  # type: ignore[misc]
        """Each scenario on a store of its own: what one leaves must not steer the next
        (Hypothesis replays scenarios and needs them to behave the same every time)."""

        def setup(self) -> None:
            self.store = databases.migrated()
            url = self.store.__enter__()
            self.app = create_app(Settings(database_url=url))
            runtime_of(self.app).write_rate = WriteRate.parse("1000000/minute")
            key = new_key(runtime_of(self.app).engine, "stateful", Scope.ADMIN)
            self.headers = {"Authorization": f"Bearer {key}"}

        def teardown(self) -> None:
            asyncio.run(runtime_of(self.app).versions.close())
            close_app(self.app)
            self.store.__exit__(None, None, None)

        def get_call_kwargs(self, case: schemathesis.Case[Any]) -> dict[str, Any]:
            return {"app": self.app, "headers": self.headers}

        def after_call(self, response: Any, case: schemathesis.Case[Any]) -> None:
            super().after_call(response, case)
            seen[(case.operation.label, response.status_code)] += 1

        def validate_response(
            self, response: Any, case: schemathesis.Case[Any], *args: Any, **kwargs: Any
        ) -> None:
            case.validate_response(response, excluded_checks=_excluded(case))

    Scenario.run(
        settings=settings(SETTINGS, stateful_step_count=10, max_examples=max(MAX_EXAMPLES, 80))
    )
    print(f"\n[stateful] {sum(seen.values())} calls: {dict(seen)}")
    # The chain was walked, not only its first step.
    assert seen[("POST /v1/sources", 201)] > 0
    assert seen[("POST /v1/observations", 201)] + seen[("POST /v1/observations", 200)] > 0
    assert seen[("GET /v1/observations/{observation_id}/history", 200)] > 0
    assert seen[("DELETE /v1/observations/{observation_id}", 200)] > 0
