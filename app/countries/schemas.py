from pydantic import Field

from app.schemas import ApiModel, CountryRef, Links


class CountryOut(CountryRef):
    official_name: str | None = Field(examples=["Republic of Azerbaijan"])


class CountryList(ApiModel):
    data: list[CountryOut]
    links: Links
