"""SDMX-CSV 1.0 and 2.0: one row per observation, the header the specifications set."""

import csv
import io
from collections.abc import Iterator

from app.http.representation import csv_cell
from app.sdmx import structure as s
from app.sdmx.keys import time_period
from app.sdmx.series import KeyedObservation
from app.sdmx.values import attributes_of, obs_value

FLOW_REF = f"{s.AGENCY}:{s.DATAFLOW}({s.VERSION})"
ATTRIBUTE_IDS = [attribute.id for attribute in s.ATTRIBUTES]
BATCH = 500
# Free text a spreadsheet could take for a formula: neutralised as in every CSV we serve.
TEXT_ATTRIBUTES = {"QUALIFIER_WORDING", "DERIVATION", "SOURCE", "OBS_COMMENT"}


def _rows(
    observations: list[KeyedObservation], version: str, dataonly: bool
) -> Iterator[list[str]]:
    measures = [s.TIME_DIMENSION, s.PRIMARY_MEASURE]
    attributes = [] if dataonly else ATTRIBUTE_IDS
    if version == "2.0":
        yield ["STRUCTURE", "STRUCTURE_ID", "ACTION", *s.DIMENSIONS, *measures, *attributes]
        lead = ["dataflow", FLOW_REF, "I"]
    else:
        yield ["DATAFLOW", *s.DIMENSIONS, *measures, *attributes]
        lead = [FLOW_REF]
    for observation in observations:
        values = dict(attributes_of(observation))
        yield [
            *lead,
            *observation.key.values(),
            time_period(observation.fact.period),
            obs_value(observation.fact),
            *(
                csv_cell(values.get(name, "")) if name in TEXT_ATTRIBUTES else values.get(name, "")
                for name in attributes
            ),
        ]


def sdmx_csv(
    observations: list[KeyedObservation], *, version: str, dataonly: bool
) -> Iterator[bytes]:
    """The rows, a batch per chunk."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    for count, row in enumerate(_rows(observations, version, dataonly), start=1):
        writer.writerow(row)
        if count % BATCH == 0:
            yield buffer.getvalue().encode()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue().encode()
