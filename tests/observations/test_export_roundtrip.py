"""An export imported back changes nothing: no revision, and the same export after."""

from pathlib import Path

import httpx
import pytest
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from app.observations.models import Observation
from app.shared.spreadsheet import escaped, unescaped

pytestmark = pytest.mark.anyio

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"

# Text a spreadsheet would run, text that begins with the escape itself, and plain text.
AWKWARD_TEXTS = ["=1+1", "'=1+1", "''@x", "-5 and @x", "'90s", 'a, "quoted"\nline', "\tTAB"]


def test_escaping_is_undone_exactly() -> None:
    for text in [*AWKWARD_TEXTS, "", "'", "plain", "+", "'+"]:
        assert unescaped(escaped(text)) == text
    assert escaped("=1+1") == "'=1+1"
    assert escaped("'90s") == "'90s"


def _figures() -> list[dict[str, object]]:
    base = {"reporter": "AM", "partner": "GE", "measure": "trade_value", "unit": "USD"}
    figures: list[dict[str, object]] = [
        {**base, "flow": "export", "period": str(2000 + n), "value": n + 1, "note": text}
        for n, text in enumerate(AWKWARD_TEXTS)
    ]
    figures += [
        {**base, "flow": "import", "period": "2016", "value": "5.10", "statement": "=SUM(A1)",
         "qualifier": "approximately", "qualifier_wording": "roughly", "reporter_stated": False,
         "attribution": "speaker", "alternative_value": 7, "alternative_reading": "@other"},
        {**base, "flow": "import", "period": "2015", "value_low": 5, "value_high": 9,
         "qualifier": "range"},
    ]  # fmt: skip
    return [{**figure, "source_id": 1} for figure in figures]


def _rows(engine: Engine) -> int:
    with Session(engine) as session:
        return session.scalar(select(func.count()).select_from(Observation)) or 0


async def test_an_export_imports_unchanged(
    client: httpx.AsyncClient, auth: dict[str, str], engine: Engine
) -> None:
    csv_auth = {**auth, "Content-Type": "text/csv"}
    for example in ("observations.csv", "comtrade.csv"):
        answer = await client.post(
            "/v1/imports?source=1", headers=csv_auth, content=(EXAMPLES / example).read_bytes()
        )
        assert answer.status_code == 201, answer.text
    answer = await client.post("/v1/observations", headers=auth, json={"figures": _figures()})
    assert answer.status_code == 201, answer.text
    for query in ("?partner=GE", ""):
        exported = await client.get("/v1/observations/export" + query)
        assert exported.status_code == 200
        stored = _rows(engine)
        again = await client.post("/v1/imports", headers=csv_auth, content=exported.content)
        assert again.status_code == 200, again.text
        summary = again.json()
        assert (summary["added"], summary["revised"], summary["changed"]) == (0, 0, False)
        assert summary["unchanged"] == summary["figures"] > 0
        assert _rows(engine) == stored
        assert (await client.get("/v1/observations/export" + query)).content == exported.content
