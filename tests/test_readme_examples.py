"""Every curl example in the README answers 200 from the app, in the format it asks for."""

import re
import shlex
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.helpers import curl_get
from tests.servers import serving

README = (Path(__file__).resolve().parent.parent / "README.md").read_text()
EXAMPLES = README.split("### Examples", 1)[1].split("```sh", 1)[1].split("```", 1)[0]
COMMANDS = [line for line in EXAMPLES.splitlines() if line.startswith("curl ")]

pytestmark = pytest.mark.anyio


def test_the_section_has_examples_for_every_pair_endpoint() -> None:
    for endpoint in (
        "turnover",
        "exports",
        "imports",
        "balance",
        "commodities",
        "targets",
        "relations",
    ):
        assert any(f"/{endpoint}" in command for command in COMMANDS), endpoint


@pytest.mark.parametrize("command", COMMANDS)
async def test_example(client: httpx.AsyncClient, command: str) -> None:
    url, headers = curl_get(command)
    response = await client.get(url, headers=headers)
    assert response.status_code == 200, response.text
    wants_csv = "format=csv" in url or headers.get("Accept") == "text/csv"
    expected = "text/csv" if wants_csv else "application/json"
    assert response.headers["content-type"].startswith(expected)
    if not wants_csv:
        assert re.search(r'"(value|data|lines|plans|facts|figures|alpha3)"', response.text)


WRITING = README.split("### Sources and bulk imports", 1)[1].split("```sh", 1)[1]
WRITE_COMMANDS = [
    line for line in WRITING.split("```", 1)[0].splitlines() if line.startswith("curl ")
]
ROOT = Path(__file__).resolve().parent.parent


async def test_write_examples_run_in_order(client: httpx.AsyncClient, write_key: str) -> None:
    """The README's write walk-through, in order, against a fresh store. Its invented
    figures stay apart from the article's pair: AZ-KZ reads the same before and after."""
    assert len(WRITE_COMMANDS) >= 8
    real_pair = "/v1/observations?reporter=AZ,KZ&partner=AZ,KZ&limit=1000"
    before = (await client.get(real_pair)).json()["data"]
    for command in WRITE_COMMANDS:
        words = shlex.split(command.replace("$KEY", write_key))
        method = words[words.index("-X") + 1] if "-X" in words else "GET"
        url = next(w for w in words if w.startswith("http://localhost:8000"))
        headers = dict(words[i + 1].split(": ", 1) for i, w in enumerate(words) if w == "-H")
        body = b""
        for flag in ("-d", "--data-binary"):
            if flag in words:
                data = words[words.index(flag) + 1]
                body = (ROOT / data[1:]).read_bytes() if data.startswith("@") else data.encode()
        response = await client.request(
            method, url.removeprefix("http://localhost:8000"), headers=headers, content=body
        )
        assert response.status_code in (200, 201), (command, response.text)
    assert (await client.get(real_pair)).json()["data"] == before
    written = (await client.get("/v1/observations/32")).json()
    assert (written["reporter"]["alpha3"], written["sources"][0]["id"]) == ("GEO", 2)


PANDAS = README.split("**In pandas**", 1)[1].split("```python", 1)[1].split("```", 1)[0]


def test_the_pandas_example_keeps_hs_codes_as_text(database_url: str) -> None:
    """The README's pandas lines, run as written against a served store."""
    with serving(database_url) as server:
        namespace: dict[str, Any] = {}
        exec(PANDAS.replace("http://localhost:8000", server.url), namespace)
    codes = set(namespace["lines"]["commodity"])
    assert "071340" in codes
    assert "10" in codes
