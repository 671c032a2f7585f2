"""SDMX-JSON 1.0 data messages: values listed once per dimension and attribute, each
observation an array of its value and the indices of its attribute values."""

from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from app.sdmx import structure as s
from app.sdmx.keys import time_period
from app.sdmx.series import KeyedObservation
from app.sdmx.values import attributes_of
from app.shared.rendering import json_bytes

_CODED = {a.id for a in s.ATTRIBUTES if a.codelist is not None}


class _Index:
    """Distinct values in order of first use, each with its position."""

    def __init__(self) -> None:
        self.positions: dict[str, int] = {}

    def of(self, value: str) -> int:
        return self.positions.setdefault(value, len(self.positions))


def _value(dimension: str, code: str, names: Mapping[str, Mapping[str, str]]) -> dict[str, str]:
    return {"id": code, "name": names.get(dimension, {}).get(code, code)}


def sdmx_json(
    observations: list[KeyedObservation],
    *,
    prepared: datetime,
    detail: str,
    flat: bool,
    names: Mapping[str, Mapping[str, str]],
) -> bytes:
    dimensions = {d: _Index() for d in s.DIMENSIONS}
    times = _Index()
    attribute_values = {a.id: _Index() for a in s.ATTRIBUTES}
    with_attributes = detail != "dataonly"
    rows: list[tuple[list[int], int, Any, dict[str, int]]] = []
    for o in observations:
        key = [dimensions[d].of(v) for d, v in zip(s.DIMENSIONS, o.key.values(), strict=True)]
        attributes = (
            {name: attribute_values[name].of(value) for name, value in attributes_of(o)}
            if with_attributes
            else {}
        )
        rows.append((key, times.of(time_period(o.fact.period)), o.fact.value, attributes))
    # Only attributes with a value in this message: readers drop the others.
    used = [a.id for a in s.ATTRIBUTES if attribute_values[a.id].positions]

    def observation(value: Any, attributes: dict[str, int]) -> list[Any]:
        return [value, *(attributes.get(name) for name in used)]

    data_set: dict[str, Any] = {"action": "Information"}
    if flat:
        data_set["observations"] = {
            ":".join(map(str, [*key, time])): observation(value, attrs)
            for key, time, value, attrs in rows
        }
    else:
        series: dict[str, Any] = {}
        for key, time, value, attrs in rows:
            entry = series.setdefault(
                ":".join(map(str, key)), {"attributes": [], "observations": {}}
            )
            if detail not in ("serieskeysonly", "nodata"):
                entry["observations"][str(time)] = observation(value, attrs)
        data_set["series"] = series

    def dimension(d: str, position: int) -> dict[str, Any]:
        values = [_value(d, code, names) for code in dimensions[d].positions]
        return {"id": d, "name": s.CONCEPT_NAMES[d], "keyPosition": position, "values": values}

    time_dimension = {
        "id": s.TIME_DIMENSION,
        "name": s.CONCEPT_NAMES[s.TIME_DIMENSION],
        "keyPosition": len(s.DIMENSIONS),
        "role": "time",
        "values": [{"id": t, "name": t} for t in times.positions],
    }
    series_dimensions = [dimension(d, i) for i, d in enumerate(s.DIMENSIONS)]
    attribute_list = [
        {
            "id": name,
            "name": s.CONCEPT_NAMES[name],
            "values": [
                {"id": v, "name": names.get(name, {}).get(v, v)} if name in _CODED else {"name": v}
                for v in attribute_values[name].positions
            ],
        }
        for name in used
    ]
    message = {
        "header": {
            "id": "DATA",
            "test": False,
            "prepared": prepared.astimezone(UTC).isoformat(timespec="seconds"),
            "sender": {"id": s.AGENCY},
        },
        "dataSets": [data_set],
        "structure": {
            "name": "Bilateral trade in goods (tradestats)",
            "dimensions": {
                "dataSet": [],
                "series": [] if flat else series_dimensions,
                "observation": [*series_dimensions, time_dimension] if flat else [time_dimension],
            },
            "attributes": {"dataSet": [], "series": [], "observation": attribute_list},
        },
    }
    return json_bytes(message)
