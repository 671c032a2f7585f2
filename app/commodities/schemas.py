from pydantic import Field

from app.commodities.models import Commodity
from app.shared.schemas import ApiModel, CommodityRef, Links


class CommodityItem(CommodityRef):
    parent_code: str | None = Field(examples=["10"])

    @classmethod
    def of(cls, commodity: Commodity) -> "CommodityItem":
        return cls(
            code=commodity.code,
            level=commodity.level,
            description=commodity.description,
            parent_code=commodity.parent_code,
        )


class CommodityList(ApiModel):
    data: list[CommodityItem]
    links: Links


class CommodityOut(CommodityItem):
    parent: CommodityRef | None
    children: list[CommodityRef]
