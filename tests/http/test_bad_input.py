"""A corpus of hostile and malformed requests: each gets a clear 4xx, nothing changes."""

from urllib.parse import quote

import httpx
import pytest
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from app.observations.models import Observation
from app.sources.models import Source
from tests.helpers import SAMPLE_FIGURE
from tests.problems import assert_problem

pytestmark = pytest.mark.anyio

TRICKS = [
    "2018-13",
    "2018-Q5",
    "2018-S3",
    "2018-00",
    "0",
    "0000",
    "99999",
    "2018-09/2018-01x",
    "x" * 10_000,
    "' OR 1=1 --",
    "1; DROP TABLE observations",
    "../../etc/passwd",
    "%00",
    "\u0000",
    "\u202e2018",
    "\uff12\uff10\uff11\uff18",  # full-width digits
    "2018\n",
    "😀",
    "${jndi:ldap://x}",
    "<script>alert(1)</script>",
    "2018/2019/2020",
    "-1",
    "NaN",
]
GET_TEMPLATES = [
    "/v1/trade/AZ/KZ/turnover?period={}",
    "/v1/trade/AZ/KZ/commodities?commodity={}",
    "/v1/trade/AZ/KZ/exports?as_of={}",
    "/v1/trade/{}/KZ/turnover",
    "/v1/countries/{}",
    "/v1/commodities/{}",
    "/v1/observations?reporter={}",
    "/v1/observations?flow={}",
    "/v1/observations?limit={}",
    "/v1/observations?after={}",
    "/v1/observations?measure={}",
    "/v1/sources/{}",
]
COUNTRY_TEMPLATES = {
    "/v1/trade/{}/KZ/turnover",
    "/v1/countries/{}",
    "/v1/observations?reporter={}",
}
CASES = [
    template.format(quote(trick, safe=""))
    for template in GET_TEMPLATES
    for trick in TRICKS
    if not ("after=" in template and trick.isdigit())  # a well-formed key: a valid request
    # 0 is World's code (UN M49 and Comtrade), a valid area wherever a country is asked.
    and not (trick == "0" and template in COUNTRY_TEMPLATES)
]


def _counts(engine: Engine) -> tuple[int, int]:
    with Session(engine) as session:
        figures = session.scalar(select(func.count()).select_from(Observation)) or 0
        sources = session.scalar(select(func.count()).select_from(Source)) or 0
    return figures, sources


async def test_corpus_of_bad_reads(client: httpx.AsyncClient) -> None:
    statuses: dict[int, int] = {}
    for path in CASES:
        response = await client.get(path)
        assert 400 <= response.status_code < 500, (path, response.status_code, response.text)
        assert_problem(response, response.status_code)
        statuses[response.status_code] = statuses.get(response.status_code, 0) + 1
    assert set(statuses) <= {404, 422}
    assert len(CASES) == sum(statuses.values()) > 250


BAD_WRITES = [
    ({"Content-Type": "application/json"}, b"\xff\xfe\x00garbage"),
    ({"Content-Type": "application/json"}, b'{"reporter": "AZ\\u0000", "partner": "KZ"}'),
    ({"Content-Type": "application/json"}, b'{"figures": [' + b"{}," * 20000 + b"{}]}"),
    (
        {"Content-Type": "application/json"},
        b'{"reporter": "AZ", "partner": "KZ", "flow": "X",'
        b' "period": "2018", "measure": "trade_value", "unit": "USD", "source_id": 1,'
        b' "value": 1e400}',
    ),
    (
        {"Content-Type": "application/json"},
        b'{"reporter": "AZ", "partner": "KZ", "flow": "X",'
        b' "period": "2018", "measure": "trade_value", "unit": "USD", "source_id": 1,'
        b' "value": "12.1234567"}',
    ),
    (
        {"Content-Type": "application/json"},
        b'{"reporter": "AZ", "partner": "KZ", "flow": "X",'
        b' "period": "2018", "measure": "trade_value", "unit": "USD", "source_id": 1,'
        b' "value": 5, "statement": "line\\u0007bell"}',
    ),
    ({"Content-Type": "application/json"}, b'{"reporter": "AZ", "value": ' + b"9" * 5000 + b"}"),
    ({"Content-Type": "application/json"}, b"[" * 100_000 + b"]" * 100_000),
    (
        {"Content-Type": "application/json"},
        b'{"figures": ' + b"[" * 100_000 + b"]" * 100_000 + b"}",
    ),
    ({"Content-Type": "text/plain"}, b"reporter,partner"),
    ({"Content-Type": "multipart/form-data; boundary=x"}, b"--x--"),
    ({}, b""),
]


@pytest.mark.parametrize("path", ["/v1/observations", "/v1/sources"])
@pytest.mark.parametrize(("headers", "body"), BAD_WRITES)
async def test_bad_writes_change_nothing(
    client: httpx.AsyncClient,
    auth: dict[str, str],
    engine: Engine,
    headers: dict[str, str],
    body: bytes,
    path: str,
) -> None:
    before = _counts(engine)
    response = await client.post(path, content=body, headers={**auth, **headers})
    assert 400 <= response.status_code < 500, response.text
    assert_problem(response, response.status_code)
    assert _counts(engine) == before


async def test_oversized_body_is_413(client: httpx.AsyncClient, auth: dict[str, str]) -> None:
    body = b'{"figures": [' + b" " * 6_000_000 + b"]}"
    response = await client.post(
        "/v1/observations", content=body, headers={**auth, "Content-Type": "application/json"}
    )
    assert_problem(response, 413)


HUGE_ID = "9" * 5000


FIGURE_ID_MAX = str(2**63 - 1)  # figures' ids are BIGINT
ID_MAX = str(2**31 - 1)  # every other id is INTEGER


@pytest.mark.parametrize(
    ("method", "path", "largest"),
    [
        ("GET", f"/v1/observations/{HUGE_ID}", FIGURE_ID_MAX),
        ("GET", f"/v1/observations/{HUGE_ID}/history", FIGURE_ID_MAX),
        ("GET", f"/v1/sources/{HUGE_ID}", ID_MAX),
        ("DELETE", f"/v1/observations/{HUGE_ID}", FIGURE_ID_MAX),
        ("GET", f"/v1/observations/{int(FIGURE_ID_MAX) + 1}", FIGURE_ID_MAX),
        ("GET", "/v1/sources/99999999999", ID_MAX),
    ],
)
async def test_an_id_too_long_to_be_one_is_a_422(
    client: httpx.AsyncClient, auth: dict[str, str], method: str, path: str, largest: str
) -> None:
    response = await client.request(method, path, headers=auth)
    assert_problem(response, 422)
    assert largest in response.text


async def test_a_figure_id_past_an_integer_is_looked_up(client: httpx.AsyncClient) -> None:
    """Bulk loads on Postgres give figures ids from 2**40 on: such an id is a figure
    that may exist (here it does not: 404), not a malformed one."""
    assert_problem(await client.get(f"/v1/observations/{2**40 + 7}"), 404)


UNICODE_DIGITS = {
    "arabic-indic": "\u0662\u0660\u0661\u0668",
    "full-width": "\uff12\uff10\uff11\uff18",
}


@pytest.mark.parametrize("digits", UNICODE_DIGITS.values(), ids=UNICODE_DIGITS.keys())
@pytest.mark.parametrize("field", ["period", "value", "reporter", "commodity"])
async def test_digits_a_read_refuses_are_refused_on_writes_too(
    client: httpx.AsyncClient, auth: dict[str, str], engine: Engine, digits: str, field: str
) -> None:
    figure = {
        "reporter": "AZ", "partner": "KZ", "flow": "export", "period": "2018",
        "measure": "trade_value", "value": "5", "unit": "USD", "source_id": 1,
        field: {"reporter": digits[:3], "commodity": digits}.get(field, digits),
    }  # fmt: skip
    before = _counts(engine)
    response = await client.post("/v1/observations", json=figure, headers=auth)
    assert_problem(response, 422)
    assert _counts(engine) == before
    read = await client.get("/v1/observations", params={"period": digits})
    assert_problem(read, 422)


@pytest.mark.anyio
async def test_a_hedge_word_must_agree_with_its_qualifier(
    client: httpx.AsyncClient, auth: dict[str, str], engine: Engine
) -> None:
    """'more than' is strict: at_least with that wording says two things at once."""
    before = _counts(engine)
    figure = {**SAMPLE_FIGURE, "qualifier": "at_least", "qualifier_wording": "More than"}
    refused = await client.post("/v1/observations", json=figure, headers=auth)
    problem = assert_problem(refused, 422)
    message = next(e["message"] for e in problem["errors"] if "qualifier_wording" in e["location"])
    assert "more_than" in message
    assert _counts(engine) == before
    agreeing = {**figure, "qualifier": "more_than"}
    assert (await client.post("/v1/observations", json=agreeing, headers=auth)).status_code == 201
    own_words = {**figure, "period": "2017", "qualifier_wording": "in excess of"}
    assert (await client.post("/v1/observations", json=own_words, headers=auth)).status_code == 201
