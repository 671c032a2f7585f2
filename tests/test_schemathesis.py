"""Property-based tests of every operation against our own OpenAPI description.

The schema is read from an app that never touches its database (building the OpenAPI
document needs none); each operation's cases then run against the test's own app and
freshly migrated database, on every backend.
"""

import os
from typing import Any

import schemathesis
from fastapi import FastAPI
from hypothesis import HealthCheck, settings

from app.main import create_app
from app.settings import Settings

# A small fixed-seed run in the suite; `make fuzz` sets FUZZ_EXAMPLES higher.
MAX_EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "20"))

schema = schemathesis.openapi.from_asgi(
    "/openapi.json", create_app(Settings(database_url="sqlite:///:memory:"))
)


@schema.parametrize()
@settings(
    max_examples=MAX_EXAMPLES,
    derandomize=True,
    deadline=None,
    suppress_health_check=list(HealthCheck),
)
def test_api_conforms_to_its_schema(case: schemathesis.Case[Any], app: FastAPI) -> None:
    case.call_and_validate(app=app)
