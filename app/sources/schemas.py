from datetime import date

from pydantic import BaseModel, ConfigDict, Field, field_validator
from pydantic.config import JsonDict

from app.shared.patterns import CONTROL_CHARACTERS
from app.shared.schemas import ApiModel, Links


class SourceOut(ApiModel):
    id: int = Field(examples=[1])
    slug: str = Field(examples=["trend-2018-11-23-az-kz-trade"])
    publisher: str = Field(examples=["Trend News Agency"])
    title: str
    author: str | None = Field(examples=["Rashid Shirinov"])
    published_on: date = Field(examples=["2018-11-23"])
    place: str | None = Field(examples=["Baku, Azerbaijan"])
    speaker: str | None = Field(examples=["Beibit Issabayev"])
    speaker_role: str | None = Field(examples=["Ambassador of Kazakhstan to Azerbaijan"])
    url: str | None
    language: str = Field(examples=["en"])
    note: str | None
    classification: str | None = Field(
        description="The HS version its commodity codes are in (HS92 ... HS22), as the "
        "import of its files declared it; null when none did",
        examples=["HS17"],
    )
    citation: str


class SourceList(ApiModel):
    data: list[SourceOut]
    links: Links


# Documents what `_no_control_characters` enforces, so that clients and fuzzers know it.
_PLAIN_TEXT: JsonDict = {"pattern": r"^[^\x00-\x08\x0b\x0c\x0e-\x1f\x7f]*$"}


class SourceIn(BaseModel):
    """A source created with the figures that cite it; `slug` names it in the request."""

    model_config = ConfigDict(extra="forbid")

    slug: str = Field(pattern=r"^[a-z0-9][a-z0-9-]{2,119}$", examples=["stat-gov-az-2019-01"])
    publisher: str = Field(min_length=1, max_length=200, json_schema_extra=_PLAIN_TEXT)
    title: str = Field(min_length=1, max_length=500, json_schema_extra=_PLAIN_TEXT)
    published_on: date
    author: str | None = Field(default=None, max_length=200, json_schema_extra=_PLAIN_TEXT)
    place: str | None = Field(default=None, max_length=200, json_schema_extra=_PLAIN_TEXT)
    speaker: str | None = Field(default=None, max_length=200, json_schema_extra=_PLAIN_TEXT)
    speaker_role: str | None = Field(default=None, max_length=300, json_schema_extra=_PLAIN_TEXT)
    url: str | None = Field(
        default=None, max_length=1000, pattern=r"^https?://[^\s\x00-\x1f\x7f]+$"
    )
    language: str = Field(default="en", pattern=r"^[a-z]{2,3}(-[A-Za-z]{2,4})?$")
    note: str | None = Field(default=None, max_length=4000, json_schema_extra=_PLAIN_TEXT)

    @field_validator("*")
    @classmethod
    def _no_control_characters(cls, value: object) -> object:
        if isinstance(value, str) and CONTROL_CHARACTERS.search(value):
            raise ValueError("contains control characters")
        return value

    @field_validator("published_on", mode="before")
    @classmethod
    def _date_as_text(cls, value: object) -> object:
        # A number is not a date, though pydantic would read it as seconds since 1970.
        if not isinstance(value, str | date):
            raise ValueError("must be a date written YYYY-MM-DD")
        return value
