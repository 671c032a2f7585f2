"""Every curl example in the README answers 200 from the app, in the format it asks for."""

import re
import shlex
from pathlib import Path
from typing import Any

import httpx
import pytest
from typer.testing import CliRunner

from app.cli import cli
from tests.helpers import curl_get
from tests.servers import serving

README = (Path(__file__).resolve().parents[2] / "README.md").read_text()
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
ROOT = Path(__file__).resolve().parents[2]


async def _curl(client: httpx.AsyncClient, command: str, key: str) -> httpx.Response:
    """A README curl line, sent as written (the key for $KEY, files read from the repo)."""
    words = shlex.split(command.replace("$KEY", key))
    method = words[words.index("-X") + 1] if "-X" in words else "GET"
    url = next(w for w in words if w.startswith("http://localhost:8000"))
    headers = dict(words[i + 1].split(": ", 1) for i, w in enumerate(words) if w == "-H")
    body = b""
    for flag in ("-d", "--data-binary"):
        if flag in words:
            data = words[words.index(flag) + 1]
            body = (ROOT / data[1:]).read_bytes() if data.startswith("@") else data.encode()
    return await client.request(
        method, url.removeprefix("http://localhost:8000"), headers=headers, content=body
    )


async def _walk_through(client: httpx.AsyncClient, key: str) -> None:
    for command in WRITE_COMMANDS:
        response = await _curl(client, command, key)
        assert response.status_code in (200, 201), (command, response.text)


async def test_write_examples_run_in_order(client: httpx.AsyncClient, write_key: str) -> None:
    """The README's write walk-through, in order, against a fresh store. Its invented
    figures stay apart from the article's pair: AZ-KZ reads the same before and after."""
    assert len(WRITE_COMMANDS) >= 8
    real_pair = "/v1/observations?reporter=AZ,KZ&partner=AZ,KZ&limit=1000"
    before = (await client.get(real_pair)).json()["data"]
    await _walk_through(client, write_key)
    assert (await client.get(real_pair)).json()["data"] == before
    written = (await client.get("/v1/observations/32")).json()
    assert (written["reporter"]["alpha3"], written["sources"][0]["id"]) == ("GEO", 2)


DOWNLOADS = README.split("A download, start to finish.", 1)[1]
IMPORT_BLOCKS = [block.split("```", 1)[0] for block in DOWNLOADS.split("```bash")[1:3]]


async def test_the_example_downloads_import_and_answer_as_the_readme_says(
    client: httpx.AsyncClient, write_key: str, cli_runner: CliRunner
) -> None:
    """After the walk-through: the example Comtrade and BACI files import with the
    README's commands, and every question after them answers."""
    await _walk_through(client, write_key)
    lines = [line for block in IMPORT_BLOCKS for line in block.splitlines() if line.strip()]
    commands = [line for line in lines if not line.startswith("#")]
    assert sum(line.startswith("tradestats import") for line in commands) == 2
    assert sum(line.startswith("curl -s 'http") for line in commands) >= 8
    for command in commands:
        if command.startswith("tradestats "):
            words = [
                str(ROOT / w) if w.startswith("examples/") else w for w in shlex.split(command)
            ]
            ran = cli_runner.invoke(cli, words[1:])
            assert ran.exit_code == 0, (command, ran.output)
            continue
        response = await _curl(client, command, write_key)
        assert response.status_code in (200, 201), (command, response.text)
        if "partners?flow=export&period=2020" in command:
            answer = response.json()
            assert answer["world"]["basis"] == "reported"
            assert answer["partners"][0]["partner"]["alpha3"] == "CHN"
            assert answer["sum_of_partners"]["unallocated"] is not None
        if "/v1/imports" in command:
            assert (response.status_code, response.json()["unchanged"]) == (200, 8)
    baci = (await client.get("/v1/sources/3")).json()
    assert baci["classification"] == "HS17"
    estimated = await client.get(
        "/v1/observations", params={"reporter": "GE", "status": "estimated"}
    )
    assert [f["unit"] for f in estimated.json()["data"]] == ["u"]


PANDAS = README.split("**In pandas**", 1)[1].split("```python", 1)[1].split("```", 1)[0]


def test_the_pandas_example_keeps_hs_codes_as_text(database_url: str) -> None:
    """The README's pandas lines, run as written against a served store."""
    with serving(database_url) as server:
        namespace: dict[str, Any] = {}
        exec(PANDAS.replace("http://localhost:8000", server.url), namespace)
    codes = set(namespace["lines"]["commodity"])
    assert "071340" in codes
    assert "10" in codes
