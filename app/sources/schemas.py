from datetime import date

from pydantic import Field

from app.relations.schemas import RelationFactOut
from app.schemas import ApiModel, Figure, Links


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
    citation: str


class SourceList(ApiModel):
    data: list[SourceOut]
    links: Links


class SourceDetail(SourceOut):
    figures: list[Figure] = Field(description="Every figure this source supports")
    relation_facts: list[RelationFactOut]
