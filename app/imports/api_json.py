"""UN Comtrade's API answer as a file: `{"data": [{...}, ...]}`, one record per row.

The records carry the columns of a download (`reporterCode`, `flowCode`, `primaryValue`,
...), so they go through the same Comtrade layout as a CSV row. Numbers are kept as the
text the answer spells them with (a float would round `1234567.89`). A record's "line" is
its place in `data`, counted from 1.
"""

import codecs
import json
from collections.abc import Iterator
from typing import IO, Any

# The first bytes that say the file is JSON rather than a header row.
_JSON_STARTS = (b"{", b"[")


def looks_like_json(start: bytes) -> bool:
    """Whether a file that starts with these bytes (after a BOM and blanks) is JSON."""
    return start.removeprefix(codecs.BOM_UTF8).lstrip().startswith(_JSON_STARTS)


def rows(text: IO[str]) -> Iterator[tuple[int, list[str] | str]]:
    """(1, header), then (n, cells) for record n of `data`; (1, reason) when the text is
    no Comtrade answer."""
    try:
        answer = json.load(text, parse_float=str, parse_int=str)
    except json.JSONDecodeError as error:
        yield error.lineno, f"not JSON: {error.msg} (line {error.lineno}, column {error.colno})"
        return
    records = answer.get("data") if isinstance(answer, dict) else None
    if not isinstance(records, list) or not all(isinstance(r, dict) for r in records):
        problem = answer.get("error") if isinstance(answer, dict) else None
        yield (
            1,
            (
                f"the UN Comtrade API answered with an error: {str(problem)[:200]}"
                if problem
                else 'a UN Comtrade API answer holds its records in "data", a list of objects'
            ),
        )
        return
    header = list(dict.fromkeys(name for record in records for name in record))
    yield 1, header
    for number, record in enumerate(records, start=1):
        yield number, [_text(record.get(name)) for name in header]


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "True" if value else "False"
    return str(value)
