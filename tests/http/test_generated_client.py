"""The OpenAPI document is good enough for tools: it validates, every $ref resolves, and a
client generated from it (openapi-python-client) builds and reads turnover."""

import importlib
import json
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI
from openapi_spec_validator import validate

from tests.helpers import asgi_client

GENERATOR = Path(sys.prefix) / "codegen" / "bin" / "openapi-python-client"
PACKAGE = "tradestats_client"


def _refs(node: Any) -> Iterator[str]:
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "$ref" and isinstance(value, str):
                yield value
            else:
                yield from _refs(value)
    elif isinstance(node, list):
        for item in node:
            yield from _refs(item)


def test_the_document_validates_and_every_ref_resolves(app: FastAPI) -> None:
    document = app.openapi()
    validate(document)
    refs = set(_refs(document))
    assert "#/components/schemas/WriteRequest" in refs
    for ref in refs:
        node: Any = document
        for part in ref.removeprefix("#/").split("/"):
            assert part in node, f"{ref} does not resolve"
            node = node[part]
    operation_ids = [op["operationId"] for ops in document["paths"].values() for op in ops.values()]
    assert len(operation_ids) == len(set(operation_ids))


@pytest.fixture
def generated_client(app: FastAPI, tmp_path: Path) -> Iterator[Path]:
    assert GENERATOR.exists(), f"{GENERATOR} is missing: `make install` puts it there"
    spec = tmp_path / "openapi.json"
    spec.write_text(json.dumps(app.openapi()))
    config = tmp_path / "config.yml"
    config.write_text("post_hooks: []\n")  # no formatter runs over the generated code
    generated = subprocess.run(
        [
            str(GENERATOR),
            "generate",
            "--path",
            str(spec),
            "--meta",
            "none",
            "--config",
            str(config),
            "--output-path",
            str(tmp_path / PACKAGE),
        ],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert generated.returncode == 0, generated.stdout + generated.stderr
    # The one operation it leaves out: a CSV upload, which it cannot type.
    skipped = re.findall(r"WARNING parsing (\S+ \S+)", generated.stdout + generated.stderr)
    assert set(skipped) == {"POST /v1/imports"}, generated.stdout  # one warning per body type
    sys.path.insert(0, str(tmp_path))
    try:
        yield tmp_path / PACKAGE
    finally:
        sys.path.remove(str(tmp_path))
        for name in [name for name in sys.modules if name.split(".")[0] == PACKAGE]:
            del sys.modules[name]


@pytest.mark.anyio
async def test_a_generated_client_reads_turnover(generated_client: Path, app: FastAPI) -> None:
    client_module = importlib.import_module(f"{PACKAGE}.client")
    turnover = importlib.import_module(f"{PACKAGE}.api.trade.turnover")
    client = client_module.Client(base_url="http://testserver", raise_on_unexpected_status=True)
    async with asgi_client(app) as http:
        client.set_async_httpx_client(http)
        answer = await turnover.asyncio_detailed(
            client=client, a="AZ", b="KZ", period="2018-01/2018-09"
        )
    assert answer.status_code == 200
    parsed = answer.parsed
    assert type(parsed).__module__.startswith(PACKAGE)
    assert parsed.growth.reported.value == 65.6
    assert parsed.value.status == "derived"
    assert parsed.period.label == "2018-01/2018-09"
