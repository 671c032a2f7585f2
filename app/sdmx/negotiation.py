"""SDMX-REST content negotiation and errors: the media types SDMX clients ask for, the
format an answer takes (format= first, then Accept), and an error as an SDMX-ML error
message, or problem+json where the client asked for JSON."""

from enum import StrEnum

from starlette.requests import Request
from starlette.responses import Response

from app.core.errors import problem_response
from app.http.representation import media_ranges
from app.sdmx import xml

GENERIC = "application/vnd.sdmx.genericdata+xml;version=2.1"
STRUCTURE_SPECIFIC = "application/vnd.sdmx.structurespecificdata+xml;version=2.1"
STRUCTURE = "application/vnd.sdmx.structure+xml;version=2.1"
JSON_1 = "application/vnd.sdmx.data+json;version=1.0.0"
CSV_1 = "application/vnd.sdmx.data+csv;version=1.0.0"
CSV_2 = "application/vnd.sdmx.data+csv;version=2.0.0"
ERROR_XML = "application/xml"


class DataFormat(StrEnum):
    GENERIC = "genericdata"
    JSON = "jsondata"
    STRUCTURE_SPECIFIC = "structurespecificdata"
    CSV_1 = "csv"
    CSV_2 = "csv2"


MEDIA_TYPES = {
    DataFormat.GENERIC: GENERIC,
    DataFormat.STRUCTURE_SPECIFIC: STRUCTURE_SPECIFIC,
    DataFormat.JSON: JSON_1,
    DataFormat.CSV_1: CSV_1,
    DataFormat.CSV_2: CSV_2,
}
ACCEPTED_MEDIA = ", ".join(MEDIA_TYPES.values())


class SdmxError(Exception):
    """An SDMX-REST error: HTTP status, SDMX error code, and what to do about it."""

    def __init__(self, status: int, code: int, text: str) -> None:
        super().__init__(text)
        self.status, self.code, self.text = status, code, text


def wants_json(request: Request) -> bool:
    accept = request.headers.get("accept", "").lower()
    return "json" in accept or request.query_params.get("format", "").lower().startswith("json")


def error_response(request: Request, error: SdmxError) -> Response:
    if wants_json(request):
        slug = {404: "not-found", 406: "not-acceptable"}.get(error.status, "invalid-parameter")
        title = {404: "Not found", 406: "Not acceptable"}.get(error.status, "Invalid request")
        return problem_response(
            error.status, title, error.text, slug=slug, instance=request.url.path
        )
    return Response(
        xml.error_message(error.code, error.text), status_code=error.status, media_type=ERROR_XML
    )


def _format_of(media: str, params: str) -> DataFormat | None:
    if "structurespecificdata" in media:
        return DataFormat.STRUCTURE_SPECIFIC
    if "genericdata" in media or media in ("*/*", "application/*", "application/xml", "text/xml"):
        return DataFormat.GENERIC
    if "json" in media:
        return None if "version=2" in params else DataFormat.JSON  # SDMX-JSON 2.0: not served
    if "csv" in media:
        return DataFormat.CSV_2 if "version=2" in params else DataFormat.CSV_1
    return None


def data_format(request: Request, format: str | None) -> DataFormat:
    """From `format=`, else the Accept header; generic data when anything goes."""
    if format is not None:
        try:
            return DataFormat(format.lower())
        except ValueError:
            raise SdmxError(
                406,
                406,
                f"format '{format[:40]}' is not served; accepted: "
                + ", ".join(f.value for f in DataFormat),
            ) from None
    accept = request.headers.get("accept", "")
    if not accept.strip():
        return DataFormat.GENERIC
    for media, params in media_ranges(accept):
        found = _format_of(media, params)
        if found is not None:
            return found
    raise SdmxError(
        406, 406, f"none of '{accept[:200]}' is served here; accepted: {ACCEPTED_MEDIA}"
    )
