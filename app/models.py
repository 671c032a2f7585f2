"""Every ORM model, imported in one place so the metadata is complete (Alembic checks)."""

from app.auth.models import ApiKey, IdempotencyRecord
from app.commodities.models import Commodity
from app.countries.models import Country
from app.http.cache.models import StoreVersion
from app.imports.models import ImportedFile
from app.observations.models import FigureDetail, FigureRow, Observation, PeriodRow, Release
from app.relations.models import RelationFact
from app.sources.models import Source
from app.trade.models import PairPointRow, StoredDerivation

__all__ = [
    "ApiKey",
    "Commodity",
    "Country",
    "FigureDetail",
    "FigureRow",
    "IdempotencyRecord",
    "ImportedFile",
    "Observation",
    "PairPointRow",
    "PeriodRow",
    "RelationFact",
    "Release",
    "Source",
    "StoreVersion",
    "StoredDerivation",
]
