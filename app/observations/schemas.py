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


class RevisionLinks(ApiModel):
    self: str
    history: str = Field(description="Every revision of this figure, oldest first")
    current: str | None = Field(
        description="The figure's current revision (a retraction, if it was withdrawn); "
        "null when this is it"
    )


class StoredFigure(Figure):
    """A stored figure, with where it stands among the revisions of its figure."""

    valid_to: datetime | None = Field(
        description="When a later revision or a retraction replaced this one; null while it "
        "is current"
    )
    retracted: bool = Field(description="This revision withdraws the figure")
    current: bool = Field(
        description="Whether this is what the store states now: not replaced, not retracted"
    )
    links: RevisionLinks


class Revision(ApiModel):
    id: int
    revision: int
    recorded_at: datetime
    superseded_at: datetime | None = Field(description="When a later revision replaced it")
    retracted: bool = Field(description="This revision withdraws the figure")
    figure: Figure


class History(ApiModel):
    revisions: list[Revision] = Field(description="Oldest first; the last one is current")
