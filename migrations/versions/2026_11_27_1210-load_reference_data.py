"""Load reference data: ISO 3166 countries (from pycountry) and the HS commodity tree.

The HS tree holds TOTAL, the 96 chapters of the Harmonized System (chapter 77 is reserved
and has no goods) and the headings and subheadings the seeded figures use. Descriptions
are short forms of the chapter titles of the HS nomenclature.

Revision ID: 0002_reference_data
Revises: 0001_schema
Create Date: 2026-11-27 12:10:00
"""

from collections.abc import Sequence

import pycountry
import sqlalchemy as sa
from alembic import op

revision: str = "0002_reference_data"
down_revision: str | None = "0001_schema"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

countries = sa.table(
    "countries",
    sa.column("alpha3", sa.String),
    sa.column("alpha2", sa.String),
    sa.column("numeric", sa.String),
    sa.column("name", sa.String),
    sa.column("official_name", sa.String),
)
commodities = sa.table(
    "commodities",
    sa.column("code", sa.String),
    sa.column("parent_code", sa.String),
    sa.column("level", sa.SmallInteger),
    sa.column("description", sa.String),
)

HS_CHAPTERS = {
    "01": "Live animals",
    "02": "Meat and edible meat offal",
    "03": "Fish and crustaceans, molluscs and other aquatic invertebrates",
    "04": "Dairy produce; birds' eggs; natural honey; edible products of animal origin n.e.s.",
    "05": "Products of animal origin n.e.s.",
    "06": "Live trees and other plants; bulbs, roots; cut flowers and ornamental foliage",
    "07": "Edible vegetables and certain roots and tubers",
    "08": "Edible fruit and nuts; peel of citrus fruit or melons",
    "09": "Coffee, tea, mate and spices",
    "10": "Cereals",
    "11": "Products of the milling industry; malt; starches; inulin; wheat gluten",
    "12": "Oil seeds and oleaginous fruits; miscellaneous grains, seeds and fruit; "
    "industrial or medicinal plants; straw and fodder",
    "13": "Lac; gums, resins and other vegetable saps and extracts",
    "14": "Vegetable plaiting materials; vegetable products n.e.s.",
    "15": "Animal, vegetable or microbial fats and oils; prepared edible fats; waxes",
    "16": "Preparations of meat, fish, crustaceans, molluscs or other aquatic invertebrates",
    "17": "Sugars and sugar confectionery",
    "18": "Cocoa and cocoa preparations",
    "19": "Preparations of cereals, flour, starch or milk; pastrycooks' products",
    "20": "Preparations of vegetables, fruit, nuts or other parts of plants",
    "21": "Miscellaneous edible preparations",
    "22": "Beverages, spirits and vinegar",
    "23": "Residues and waste from the food industries; prepared animal fodder",
    "24": "Tobacco and manufactured tobacco substitutes",
    "25": "Salt; sulphur; earths and stone; plastering materials, lime and cement",
    "26": "Ores, slag and ash",
    "27": "Mineral fuels, mineral oils and products of their distillation; bituminous "
    "substances; mineral waxes",
    "28": "Inorganic chemicals; compounds of precious metals, rare-earth metals, "
    "radioactive elements or isotopes",
    "29": "Organic chemicals",
    "30": "Pharmaceutical products",
    "31": "Fertilisers",
    "32": "Tanning or dyeing extracts; dyes, pigments, paints, varnishes, putty and inks",
    "33": "Essential oils and resinoids; perfumery, cosmetic or toilet preparations",
    "34": "Soap, washing and lubricating preparations, waxes, polishing preparations, "
    "candles, modelling pastes",
    "35": "Albuminoidal substances; modified starches; glues; enzymes",
    "36": "Explosives; pyrotechnic products; matches; pyrophoric alloys",
    "37": "Photographic or cinematographic goods",
    "38": "Miscellaneous chemical products",
    "39": "Plastics and articles thereof",
    "40": "Rubber and articles thereof",
    "41": "Raw hides and skins (other than furskins) and leather",
    "42": "Articles of leather; saddlery and harness; travel goods, handbags",
    "43": "Furskins and artificial fur; manufactures thereof",
    "44": "Wood and articles of wood; wood charcoal",
    "45": "Cork and articles of cork",
    "46": "Manufactures of straw, esparto or other plaiting materials; basketware",
    "47": "Pulp of wood or other fibrous cellulosic material; recovered paper",
    "48": "Paper and paperboard; articles of paper pulp, paper or paperboard",
    "49": "Printed books, newspapers, pictures and other products of the printing industry",
    "50": "Silk",
    "51": "Wool, fine or coarse animal hair; horsehair yarn and woven fabric",
    "52": "Cotton",
    "53": "Other vegetable textile fibres; paper yarn and woven fabrics of paper yarn",
    "54": "Man-made filaments",
    "55": "Man-made staple fibres",
    "56": "Wadding, felt and nonwovens; special yarns; twine, cordage, ropes and cables",
    "57": "Carpets and other textile floor coverings",
    "58": "Special woven fabrics; tufted textile fabrics; lace; tapestries; embroidery",
    "59": "Impregnated, coated, covered or laminated textile fabrics",
    "60": "Knitted or crocheted fabrics",
    "61": "Articles of apparel and clothing accessories, knitted or crocheted",
    "62": "Articles of apparel and clothing accessories, not knitted or crocheted",
    "63": "Other made up textile articles; sets; worn clothing and worn textile articles",
    "64": "Footwear, gaiters and the like",
    "65": "Headgear and parts thereof",
    "66": "Umbrellas, walking-sticks, whips, riding-crops and parts thereof",
    "67": "Prepared feathers and down; artificial flowers; articles of human hair",
    "68": "Articles of stone, plaster, cement, asbestos, mica or similar materials",
    "69": "Ceramic products",
    "70": "Glass and glassware",
    "71": "Pearls, precious or semi-precious stones, precious metals; imitation jewellery; coin",
    "72": "Iron and steel",
    "73": "Articles of iron or steel",
    "74": "Copper and articles thereof",
    "75": "Nickel and articles thereof",
    "76": "Aluminium and articles thereof",
    "78": "Lead and articles thereof",
    "79": "Zinc and articles thereof",
    "80": "Tin and articles thereof",
    "81": "Other base metals; cermets; articles thereof",
    "82": "Tools, implements, cutlery, spoons and forks, of base metal",
    "83": "Miscellaneous articles of base metal",
    "84": "Nuclear reactors, boilers, machinery and mechanical appliances; parts thereof",
    "85": "Electrical machinery and equipment; sound and television recorders and "
    "reproducers; parts thereof",
    "86": "Railway or tramway locomotives, rolling stock and track fixtures; "
    "traffic signalling equipment",
    "87": "Vehicles other than railway or tramway rolling stock; parts and accessories",
    "88": "Aircraft, spacecraft, and parts thereof",
    "89": "Ships, boats and floating structures",
    "90": "Optical, photographic, measuring, checking, precision, medical or surgical instruments",
    "91": "Clocks and watches and parts thereof",
    "92": "Musical instruments; parts and accessories",
    "93": "Arms and ammunition; parts and accessories thereof",
    "94": "Furniture; bedding; lamps and lighting fittings n.e.s.; prefabricated buildings",
    "95": "Toys, games and sports requisites; parts and accessories thereof",
    "96": "Miscellaneous manufactured articles",
    "97": "Works of art, collectors' pieces and antiques",
    "98": "Reserved for special uses by contracting parties",
    "99": "Commodities not specified according to kind",
}

# Below chapter level: only the codes the seeded figures need. More arrive with imports.
HS_DETAIL = [
    ("0713", "07", 4, "Dried leguminous vegetables, shelled, whether or not skinned or split"),
    ("071340", "0713", 6, "Lentils, dried, shelled"),
    ("1001", "10", 4, "Wheat and meslin"),
    ("1006", "10", 4, "Rice"),
]


def _country_rows() -> list[dict[str, str | None]]:
    return [
        {
            "alpha3": country.alpha_3,
            "alpha2": country.alpha_2,
            "numeric": country.numeric,
            "name": country.name,
            "official_name": getattr(country, "official_name", None),
        }
        for country in sorted(pycountry.countries, key=lambda c: c.alpha_3)
    ]


def _commodity_rows() -> list[dict[str, str | int | None]]:
    rows: list[dict[str, str | int | None]] = [
        {"code": "TOTAL", "parent_code": None, "level": 0, "description": "All goods"}
    ]
    rows += [
        {"code": code, "parent_code": "TOTAL", "level": 2, "description": description}
        for code, description in HS_CHAPTERS.items()
    ]
    rows += [
        {"code": code, "parent_code": parent, "level": level, "description": description}
        for code, parent, level, description in HS_DETAIL
    ]
    return rows


def upgrade() -> None:
    op.bulk_insert(countries, _country_rows())
    op.bulk_insert(commodities, _commodity_rows())


def downgrade() -> None:
    # Only what upgrade added, children before parents (the tree references itself).
    for row in reversed(_commodity_rows()):
        op.execute(commodities.delete().where(commodities.c.code == row["code"]))
    codes = [row["alpha3"] for row in _country_rows()]
    op.execute(countries.delete().where(countries.c.alpha3.in_(codes)))
