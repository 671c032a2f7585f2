"""CSV lines built without the csv module (`csv_line`, `figure_line`) are the lines our
csv writer writes: the same quoting, doubled quotes and line ends, whatever the text."""

import csv
import io
from datetime import date
from decimal import Decimal
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from app.http.representation import FIGURE_COLUMNS, csv_line, csv_writer, figure_line, quoted
from app.shared.spreadsheet import unescaped

# Text rich in what decides the quoting: commas, quotes, line breaks, spaces and
# formula triggers.
TEXT = st.text(alphabet=st.sampled_from(list(",\"\r\n \t=+-@'aZ9;é")), max_size=12) | st.text()
CELLS = st.one_of(st.none(), TEXT, st.integers(), st.dates(), st.decimals(allow_nan=False))


def _written(cells: list[Any]) -> str:
    buffer = io.StringIO()
    csv_writer(buffer).writerow(cells)
    return buffer.getvalue()


@given(st.lists(CELLS, min_size=2, max_size=8))
def test_a_line_is_the_writers_line(cells: list[Any]) -> None:
    assert csv_line(cells) == _written(cells)


@given(TEXT)
def test_a_quoted_field_reads_back_as_its_text(text: str) -> None:
    line = quoted(text) + ",x\r\n"
    assert next(csv.reader(io.StringIO(line, newline=""))) == [text, "x"]
    assert line == _written([text, "x"])


@given(TEXT, TEXT, TEXT, st.sampled_from(["2018", "2018-01/2018-09", "Q1, 2018"]))
def test_a_stored_figures_line_is_the_writers(
    statement: str, note: str, citation: str, label: str
) -> None:
    period = {"label": label, "start": date(2018, 1, 1), "end": date(2018, 9, 30)}
    figure = {
        "id": 7, "reporter": {"alpha3": "AZE"}, "partner": {"alpha3": "KAZ"},
        "flow": "export", "commodity": {"code": "TOTAL"}, "period": period,
        "base_period": period, "measure": "trade_value", "value": Decimal("12.500000"),
        "value_low": None, "value_high": Decimal("-0"), "unit": "usd",
        "qualifier": "approximately", "qualifier_wording": note or None, "status": "reported",
        "sources": [{"id": 1, "citation": citation}, {"id": 2, "citation": "b"}],
        "reporter_stated": True, "attribution": "speaker", "statement": statement,
        "alternative_value": None, "alternative_reading": None, "note": note,
        "derivation": None,
    }  # fmt: skip
    line = figure_line("data", figure)
    read = next(csv.reader(io.StringIO(line, newline="")))
    assert len(read) == len(FIGURE_COLUMNS)
    cells = dict(zip(FIGURE_COLUMNS, read, strict=True))
    assert cells["period"] == label
    assert cells["value"] == "12.5"
    assert cells["value_high"] == "0"
    assert cells["source_ids"] == "1 2"
    assert unescaped(cells["statement"]) == statement
    assert unescaped(cells["citation"]) == f"{citation}; b"
    assert line == _written(read)
