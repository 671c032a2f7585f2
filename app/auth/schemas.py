from datetime import datetime

from app.shared.schemas import ApiModel


class KeyOut(ApiModel):
    name: str
    scope: str
    created_at: datetime
    revoked_at: datetime | None


class KeyList(ApiModel):
    data: list[KeyOut]
