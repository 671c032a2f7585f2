from pydantic import Field

from app.shared.schemas import Amount, ApiModel, CountryRef, SourceRef
from app.shared.vocabulary import Attribution, Qualifier


class RelationFactOut(ApiModel):
    id: int
    kind: str = Field(examples=["shared_membership"])
    subject: str | None = Field(examples=["OSCE"])
    value: Amount | None
    unit: str | None = Field(examples=["documents"])
    qualifier: Qualifier
    qualifier_wording: str | None = Field(examples=["more than"])
    period: str | None = Field(examples=["2018"])
    status: str = Field(examples=["reported"])
    statement: str
    note: str | None
    attribution: Attribution = Field(
        description="Whose words: the source's own (publisher) or a person it quotes (speaker)"
    )
    source: SourceRef


class Relations(ApiModel):
    pair: tuple[CountryRef, CountryRef]
    facts: list[RelationFactOut]
