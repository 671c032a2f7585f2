"""World, the n.e.s. areas, special categories and the EU, as areas of their kind.

Revision ID: 0021_trade_areas
Revises: 0020_re_export_flows
Create Date: 2026-12-07 09:30:00

UN Comtrade files trade with World (0) beside every partner, and under areas "not
elsewhere specified" (490 Other Asia, 899 Areas, ...) what a reporter cannot or may not
name. They are stored in `countries` under their Comtrade numbers, each with its kind:
world, nes (not elsewhere specified), special, or group. ISO 3166-1 gives them no letter
codes: they have codes from the ranges ISO leaves to users (alpha-2 XA-XZ, alpha-3 X..),
except World and the EU, which go by the World Bank's and the UN's (WLD, EUU).
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0021_trade_areas"
down_revision: str | None = "0020_re_export_flows"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# m49, alpha-3, alpha-2, name, kind.
AREAS = (
    (0, "WLD", "XW", "World", "world"),
    (97, "EUU", "XE", "European Union", "group"),
    (129, "XCB", "XB", "Caribbean, n.e.s.", "nes"),
    (221, "XEE", "XD", "Eastern Europe, n.e.s.", "nes"),
    (290, "XNA", "XF", "Northern Africa, n.e.s.", "nes"),
    (471, "XCA", "XG", "CACM, n.e.s.", "nes"),
    (472, "XCM", "XH", "Africa CAMEU region, n.e.s.", "nes"),
    (473, "XLA", "XI", "LAIA, n.e.s.", "nes"),
    (490, "XOA", "XJ", "Other Asia, n.e.s.", "nes"),
    (527, "XOC", "XL", "Oceania, n.e.s.", "nes"),
    (568, "XOE", "XM", "Other Europe, n.e.s.", "nes"),
    (577, "XOF", "XN", "Other Africa, n.e.s.", "nes"),
    (636, "XRA", "XO", "Rest of America, n.e.s.", "nes"),
    (637, "XNC", "XP", "North America and Central America, n.e.s.", "nes"),
    (697, "XEF", "XQ", "Europe EFTA, n.e.s.", "nes"),
    (837, "XBK", "XR", "Bunkers", "special"),
    (838, "XFZ", "XS", "Free zones", "special"),
    (839, "XSC", "XT", "Special categories", "special"),
    (849, "XUP", "XU", "US Miscellaneous Pacific Islands", "nes"),
    (879, "XWA", "XV", "Western Asia, n.e.s.", "nes"),
    (899, "XNS", "XZ", "Areas, n.e.s.", "nes"),
)

countries = sa.table(
    "countries",
    sa.column("alpha3", sa.String),
    sa.column("alpha2", sa.String),
    sa.column("numeric", sa.String),
    sa.column("name", sa.String),
    sa.column("official_name", sa.String),
    sa.column("m49", sa.SmallInteger),
    sa.column("kind", sa.String),
)


def upgrade() -> None:
    op.bulk_insert(
        countries,
        [
            {
                "alpha3": alpha3,
                "alpha2": alpha2,
                "numeric": f"{m49:03d}",
                "name": name,
                "official_name": None,
                "m49": m49,
                "kind": kind,
            }
            for m49, alpha3, alpha2, name, kind in AREAS
        ],
    )


def downgrade() -> None:
    codes = [alpha3 for _m49, alpha3, _alpha2, _name, _kind in AREAS]
    keys = [m49 for m49, *_rest in AREAS]
    (count,) = (
        op.get_bind()
        .execute(
            sa.text(
                "SELECT count(*) FROM figures WHERE reporter IN :keys OR partner IN :keys"
            ).bindparams(sa.bindparam("keys", expanding=True)),
            {"keys": keys},
        )
        .one()
    )
    if count:
        raise RuntimeError(
            f"{count} figures are filed under World or another area, which the earlier "
            "store cannot hold: delete them first"
        )
    op.execute(countries.delete().where(countries.c.alpha3.in_(codes)))
