from app.schemas import ApiModel, Figure, Links


class FigureList(ApiModel):
    data: list[Figure]
    links: Links
