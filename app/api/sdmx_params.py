"""SDMX-REST's parameters as the HTTP layer declares them: the data query's path and
query parameters, and the answers a data query may give."""

from typing import Annotated

from fastapi import Depends, Path, Query

from app.sdmx import structure as s
from app.sdmx.negotiation import (
    MEDIA_TYPES,
)
from app.sdmx.parameters import KEY_PATTERN
from app.sdmx.parameters import DataParams as SdmxDataParams
from app.shared.patterns import PERIOD_PATTERN, describe_pattern

StartPeriod = Annotated[
    str | None,
    Query(
        alias="startPeriod",
        pattern=PERIOD_PATTERN,
        description="Observations from this period on: 2018, 2018-Q3, 2018-09, 2018-01-01",
        examples=["2017"],
    ),
]
EndPeriod = Annotated[
    str | None,
    Query(
        alias="endPeriod",
        pattern=PERIOD_PATTERN,
        description="Observations up to the end of this period",
        examples=["2018"],
    ),
]
UpdatedAfter = Annotated[
    str | None,
    Query(
        alias="updatedAfter",
        json_schema_extra={"format": "date-time"},
        description="Only figures recorded after this instant, and derived ones resting on them",
        examples=["2026-01-01T00:00:00Z"],
    ),
]
FirstN = Annotated[
    int | None,
    Query(
        alias="firstNObservations",
        ge=1,
        le=10000,
        description="The first N observations of each series",
        examples=[1],
    ),
]
LastN = Annotated[
    int | None,
    Query(
        alias="lastNObservations",
        ge=1,
        le=10000,
        description="The last N observations of each series",
        examples=[1],
    ),
]
DimensionAtObservation = Annotated[
    str,
    Query(
        alias="dimensionAtObservation",
        description="TIME_PERIOD (series) or AllDimensions (flat)",
        examples=["TIME_PERIOD"],
        pattern=describe_pattern(
            "^(TIME_PERIOD|AllDimensions)$", "TIME_PERIOD or AllDimensions (the ones served)"
        ),
    ),
]
Detail = Annotated[
    str,
    Query(
        description="full, dataonly, serieskeysonly or nodata",
        examples=["full"],
        pattern=describe_pattern(
            "^(full|dataonly|serieskeysonly|nodata)$", "full, dataonly, serieskeysonly or nodata"
        ),
    ),
]
FormatParam = Annotated[
    str | None,
    Query(
        description="genericdata, structurespecificdata, csv (SDMX-CSV 1.0) or csv2 (2.0); "
        "overrides Accept",
        examples=["csv"],
        pattern=describe_pattern(
            "^(genericdata|structurespecificdata|jsondata|csv|csv2)$",
            "genericdata, structurespecificdata, jsondata, csv (SDMX-CSV 1.0) or csv2 (2.0)",
        ),
    ),
]
FlowPath = Annotated[
    str, Path(description="BILATERAL, or TRADESTATS,BILATERAL,1.0", examples=["BILATERAL"])
]
KeyPath = Annotated[
    str,
    Path(
        description="FREQ.REF_AREA.INDICATOR.COUNTERPART_AREA.COMMODITY; empty parts match "
        "any, + joins codes; all for every series",
        examples=["P9M.AZ.TXG_FOB_USD.KZ.TOTAL"],
        pattern=KEY_PATTERN,
    ),
]

DATA_RESPONSES: dict[int | str, dict[str, object]] = {
    200: {
        "content": {media: {} for media in MEDIA_TYPES.values()},
        "description": "SDMX data message",
    },
    400: {"description": "Malformed key or parameter (SDMX error 140)"},
    404: {"description": "No results (SDMX error 100)"},
    406: {"description": "Not acceptable: none of the formats asked for is served"},
}


def data_params(
    start_period: StartPeriod = None,
    end_period: EndPeriod = None,
    updated_after: UpdatedAfter = None,
    first_n: FirstN = None,
    last_n: LastN = None,
    dimension_at_observation: DimensionAtObservation = s.TIME_DIMENSION,
    detail: Detail = "full",
    format: FormatParam = None,
) -> SdmxDataParams:
    """The query parameters every data query takes."""
    return SdmxDataParams(
        start_period,
        end_period,
        updated_after,
        first_n,
        last_n,
        dimension_at_observation,
        detail,
        format,
    )


DataParams = Annotated[SdmxDataParams, Depends(data_params)]
