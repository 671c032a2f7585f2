from pydantic import Field

from app.shared.schemas import ApiModel, CountryRef, Links


class CountryOut(CountryRef):
    official_name: str | None = Field(examples=["Republic of Azerbaijan"])
    kind: str = Field(
        description="country; or an area trade statistics use: world, nes (not elsewhere "
        "specified), special (bunkers, free zones, special categories) or group (the EU)",
        examples=["country"],
    )


class CountryList(ApiModel):
    data: list[CountryOut]
    links: Links
