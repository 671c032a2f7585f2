"""UN Comtrade Plus files as the portal gives them: the 47 columns of a download, filled
the way real rows are, for tests to write in any encoding and shape."""

import csv
import gzip
import io
from collections.abc import Mapping, Sequence

COLUMNS = [
    "typeCode",
    "freqCode",
    "refPeriodId",
    "refYear",
    "refMonth",
    "period",
    "reporterCode",
    "reporterISO",
    "reporterDesc",
    "flowCode",
    "flowDesc",
    "partnerCode",
    "partnerISO",
    "partnerDesc",
    "partner2Code",
    "partner2ISO",
    "partner2Desc",
    "classificationCode",
    "classificationSearchCode",
    "isOriginalClassification",
    "cmdCode",
    "cmdDesc",
    "aggrLevel",
    "isLeaf",
    "customsCode",
    "customsDesc",
    "mosCode",
    "motCode",
    "motDesc",
    "qtyUnitCode",
    "qtyUnitAbbr",
    "qty",
    "isQtyEstimated",
    "altQtyUnitCode",
    "altQtyUnitAbbr",
    "altQty",
    "isAltQtyEstimated",
    "netWgt",
    "isNetWgtEstimated",
    "grossWgt",
    "isGrossWgtEstimated",
    "cifvalue",
    "fobvalue",
    "primaryValue",
    "legacyEstimationFlag",
    "isReported",
    "isAggregate",
]

AREAS = {
    "398": ("KAZ", "Kazakhstan"),
    "31": ("AZE", "Azerbaijan"),
    "792": ("TUR", "Türkiye"),
    "156": ("CHN", "China"),
    "643": ("RUS", "Russian Federation"),
    "0": ("W00", "World"),
    "490": ("S19", "Other Asia, nes"),
    "899": ("_X", "Areas, nes"),
    "999": ("QQQ", "No such area"),
    "97": ("", "European Union"),  # no ISO column: read by its code
}
FLOWS = {"X": "Export", "M": "Import", "RX": "Re-export", "RM": "Re-import"}


def row(
    *,
    reporter: str = "398",
    partner: str,
    flow: str = "X",
    year: int = 2019,
    commodity: str = "TOTAL",
    value: str,
    net_weight: str = "",
    mot: str = "0",
    customs: str = "C00",
    partner2: str = "0",
) -> dict[str, str]:
    """One row of a yearly HS download, every column as the portal fills it."""
    reporter_iso, reporter_name = AREAS[reporter]
    partner_iso, partner_name = AREAS[partner]
    second_iso, second_name = AREAS.get(partner2, ("", ""))
    return {
        "typeCode": "C",
        "freqCode": "A",
        "refPeriodId": f"{year}0101",
        "refYear": str(year),
        "refMonth": "52",
        "period": str(year),
        "reporterCode": reporter,
        "reporterISO": reporter_iso,
        "reporterDesc": reporter_name,
        "flowCode": flow,
        "flowDesc": FLOWS[flow],
        "partnerCode": partner,
        "partnerISO": partner_iso,
        "partnerDesc": partner_name,
        "partner2Code": partner2,
        "partner2ISO": second_iso,
        "partner2Desc": second_name,
        "classificationCode": "H5",
        "classificationSearchCode": "HS",
        "isOriginalClassification": "True",
        "cmdCode": commodity,
        "cmdDesc": "All Commodities" if commodity == "TOTAL" else f"HS {commodity}",
        "aggrLevel": "0" if commodity == "TOTAL" else str(len(commodity)),
        "isLeaf": "False",
        "customsCode": customs,
        "customsDesc": "TOTAL CPC" if customs == "C00" else "Other",
        "mosCode": "0",
        "motCode": mot,
        "motDesc": "TOTAL MOT" if mot == "0" else "Other",
        "qtyUnitCode": "8" if net_weight else "-1",
        "qtyUnitAbbr": "kg" if net_weight else "N/A",
        "qty": net_weight or "0",
        "isQtyEstimated": "False",
        "altQtyUnitCode": "-1",
        "altQtyUnitAbbr": "N/A",
        "altQty": "0",
        "isAltQtyEstimated": "False",
        "netWgt": net_weight,
        "isNetWgtEstimated": "False",
        "grossWgt": "",
        "isGrossWgtEstimated": "False",
        "cifvalue": "",
        "fobvalue": value if flow in ("X", "RX") else "",
        "primaryValue": value,
        "legacyEstimationFlag": "0",
        "isReported": "True",
        "isAggregate": "True",
    }


def text(rows: Sequence[Mapping[str, str]], *, delimiter: str = ",") -> str:
    """The file's text, quoted where a field holds the delimiter ("Areas, nes")."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter=delimiter, lineterminator="\n")
    writer.writerow(COLUMNS)
    writer.writerows([item[name] for name in COLUMNS] for item in rows)
    return out.getvalue()


def encoded(
    rows: Sequence[Mapping[str, str]],
    *,
    encoding: str = "utf-8",
    delimiter: str = ",",
    compressed: bool = False,
) -> bytes:
    data = text(rows, delimiter=delimiter).encode(encoding)
    return gzip.compress(data) if compressed else data
