from pydantic import Field

from app.schemas import ApiModel, CommodityRef, Links


class CommodityItem(CommodityRef):
    parent_code: str | None = Field(examples=["10"])


class CommodityList(ApiModel):
    data: list[CommodityItem]
    links: Links


class CommodityOut(CommodityItem):
    parent: CommodityRef | None
    children: list[CommodityRef]
