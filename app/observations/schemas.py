from datetime import datetime

from pydantic import Field

from app.schemas import ApiModel, Figure, Links


class FigureList(ApiModel):
    data: list[Figure]
    links: Links


class WriteCounts(ApiModel):
    added: int = Field(description="Figures new to the store")
    revised: int = Field(description="Figures that got a new revision")
    unchanged: int = Field(description="Figures identical to their current revision")


class WriteAnswer(ApiModel):
    summary: WriteCounts
    figures: list[Figure] = Field(description="The current revision of each figure, in order")


class Revision(ApiModel):
    id: int
    revision: int
    recorded_at: datetime
    superseded_at: datetime | None = Field(description="When a later revision replaced it")
    retracted: bool = Field(description="This revision withdraws the figure")
    figure: Figure


class History(ApiModel):
    revisions: list[Revision] = Field(description="Oldest first; the last one is current")
