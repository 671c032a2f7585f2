"""CSV layouts an import understands, told apart by their header row.

- `tradestats`: the columns the read side's CSV answers have (extra ones are ignored);
- `comtrade`: UN Comtrade's bulk and API columns (refYear/period, reporterCode/reporterISO,
  partnerCode/partnerISO, flowCode, cmdCode, primaryValue, qty, qtyUnitAbbr, netWgt).
  World and the other areas Comtrade files trade under (n.e.s. areas, special
  categories) are areas of their kind (migration 0021), reporter or partner alike.
  A Comtrade Plus row that breaks a figure down (by mode of transport, customs procedure
  or second partner) is left out and counted: the row of the totals is the figure.
- `baci`: CEPII's BACI (`t,i,j,k,v,q`): year, exporter, importer, HS 6-digit product,
  value in thousands of USD, quantity in tonnes. Its country codes are Comtrade's. A row
  is the exporter's export to the importer as BACI reconciles it (one figure per
  direction and product, never a mirror pair), stored in USD and tonnes, filed under the
  exporter with `reporter_stated` false: CEPII's estimate from both sides' declarations.
"""

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any, ClassVar, Protocol

from app.observations.validation import NewFigure, Problem, ReferenceData, check
from app.shared.spreadsheet import unescaped
from app.shared.vocabulary import COMTRADE_UNITS

KG_PER_TONNE = Decimal(1000)


@dataclass(frozen=True)
class RowProblem:
    column: str
    reason: str


@dataclass(frozen=True)
class LeftOut:
    """A row that is not a figure of ours by design, counted under `reason`."""

    reason: str


class Layout(Protocol):
    name: str
    # Figures of otherwise good rows left out, by reason.
    dropped: dict[str, int]

    def figures(self, row: Mapping[str, str]) -> list[NewFigure] | list[RowProblem] | LeftOut: ...


def _problems(problems: list[Problem], columns: Mapping[str, str]) -> list[RowProblem]:
    return [RowProblem(columns.get(p.field, p.field), p.reason) for p in problems]


class OwnLayout:
    name = "tradestats"
    required = frozenset({"reporter", "partner", "flow", "period", "measure", "unit"})

    def __init__(self, refs: ReferenceData, source_id: int | None) -> None:
        self.refs = refs
        self.source_id = source_id
        self.dropped: dict[str, int] = {}

    def figures(self, row: Mapping[str, str]) -> list[NewFigure] | list[RowProblem]:
        # Our own CSV escapes text a spreadsheet would run; read back, it is the text again.
        row = {name: unescaped(cell) for name, cell in row.items()}
        source_text = (row.get("source_ids") or "").strip()
        source_id = self.source_id
        if source_text:
            if not source_text.isdigit() or len(source_text) > 12:
                return [RowProblem("source_ids", "one source id per figure (a whole number)")]
            source_id = int(source_text)
        elif source_id is None:
            return [RowProblem("source_ids", "no source id: fill the column or name a source")]
        if (row.get("qualifier") or "").strip().lower() != "range":
            # The read side fills the bounds its rounding implies; only a range stores them.
            row = {**row, "value_low": "", "value_high": ""}
        outcome = check(row, self.refs, source_id)
        if isinstance(outcome, list):
            return _problems(outcome, {"source_id": "source_ids"})
        return [outcome]


COMTRADE_FLOWS = {"X": "export", "M": "import", "RX": "re_export", "RM": "re_import"}
# Comtrade Plus's breakdown columns, and what each says on the row of the totals: all modes
# of transport, all customs procedures, and no second partner (World).
BREAKDOWN_TOTALS = {
    "motCode": frozenset({"", "0"}),
    "customsCode": frozenset({"", "C00"}),
    "partner2Code": frozenset({"", "0"}),
}
BREAKDOWN = "breakdown rows (motCode, customsCode or partner2Code other than the total)"
# A quantity in a unit UN Comtrade's list does not have: the row's other figures are kept.
UNKNOWN_UNIT = "quantities in a unit outside UN Comtrade's list (the rest of the row is kept)"
WEIGHT_UNITS = frozenset({"kg", "t"})
NO_UNIT = frozenset({"", "n/a", "na", "-1"})
# Valuations Comtrade gives beside primaryValue, each a measure of its own.
VALUATIONS = {"cifvalue": "cif_value", "fobvalue": "fob_value"}
# UN Comtrade's flags of an estimated figure, by the column the figure comes from; its
# legacy flag says the same in bits (2: quantity, 4: net weight) where they are absent.
ESTIMATION_FLAGS = {"qty": "isQtyEstimated", "netWgt": "isNetWgtEstimated"}
LEGACY_BITS = {"qty": 2, "netWgt": 4}
TRUE_WORDS = frozenset({"true", "1"})


def unit_key(text: str) -> str:
    """A Comtrade unit as COMTRADE_UNITS spells it: lower case, no spaces."""
    return "".join(text.split()).lower()


def estimated(row: Mapping[str, str], column: str) -> bool:
    """Whether UN Comtrade flags the figure read from `column` (qty or netWgt) as its
    estimate."""
    flag = (row.get(ESTIMATION_FLAGS[column]) or "").strip().lower()
    if flag:
        return flag in TRUE_WORDS
    legacy = (row.get("legacyEstimationFlag") or "").strip()
    return legacy.isascii() and legacy.isdigit() and bool(int(legacy) & LEGACY_BITS[column])


# Longer than any code a country goes by (check refuses it unread).
MAX_AREA_TEXT = 16


class ComtradeLayout:
    name = "comtrade"

    def __init__(
        self, refs: ReferenceData, source_id: int | None, *, refuse_breakdowns: bool = False
    ) -> None:
        self.refs = refs
        self.source_id = source_id
        self.refuse_breakdowns = refuse_breakdowns
        # Figures of otherwise good rows left out, by reason (`UNKNOWN_UNIT`).
        self.dropped: dict[str, int] = {}
        # A Comtrade row is its reporter's declaration; a file read as Comtrade rows may not
        # be (`BaciLayout`).
        self.reporter_stated = True
        # The classificationCode values the file's rows give (H0 ... H6).
        self.classifications: set[str] = set()

    def breakdown(self, row: Mapping[str, str]) -> LeftOut | RowProblem | None:
        """A breakdown row: left out, or a problem when the import refuses them."""
        for column, totals in BREAKDOWN_TOTALS.items():
            given = (row.get(column) or "").strip()
            if given.upper() not in totals:
                if self.refuse_breakdowns:
                    return RowProblem(
                        column,
                        f"'{given[:20]}' breaks a figure down (the import refuses breakdown "
                        f"rows; the totals are {column} {' or '.join(sorted(totals - {''}))})",
                    )
                return LeftOut(BREAKDOWN)
        return None

    @staticmethod
    def period_of(row: Mapping[str, str]) -> tuple[str, str] | RowProblem:
        """The column a row's period comes from, and its label."""
        period = (row.get("period") or "").strip()
        if period.isdigit() and len(period) == 6:
            return "period", f"{period[:4]}-{period[4:]}"
        if period.isdigit() and len(period) == 4:
            return "period", period
        year, month = (row.get("refYear") or "").strip(), (row.get("refMonth") or "").strip()
        if year.isdigit() and len(year) == 4:
            # isascii: int() refuses some characters isdigit() takes (superscripts).
            if month.isascii() and month.isdigit() and 1 <= int(month) <= 12:
                return "refMonth", f"{year}-{int(month):02d}"
            return "refYear", year
        return RowProblem("period", "needs period (YYYY or YYYYMM) or refYear")

    def _country(self, row: Mapping[str, str], role: str) -> tuple[str, str] | RowProblem:
        iso = (row.get(f"{role}ISO") or "").strip()
        code = (row.get(f"{role}Code") or "").strip()
        column, given = (f"{role}ISO", iso) if iso else (f"{role}Code", code)
        if not given:
            return RowProblem(f"{role}Code", f"needs {role}Code or {role}ISO")
        return column, given

    def figures(self, row: Mapping[str, str]) -> list[NewFigure] | list[RowProblem] | LeftOut:
        classification = (row.get("classificationCode") or "").strip().upper()
        if classification:
            self.classifications.add(classification[:8])
        breakdown = self.breakdown(row)
        if isinstance(breakdown, LeftOut):
            return breakdown
        problems: list[RowProblem] = [breakdown] if breakdown is not None else []
        period = self.period_of(row)
        reporter, partner = self._country(row, "reporter"), self._country(row, "partner")
        flow_code = (row.get("flowCode") or "").strip().upper()
        for item in (period, reporter, partner):
            if isinstance(item, RowProblem):
                problems.append(item)
        if flow_code not in COMTRADE_FLOWS:
            problems.append(RowProblem("flowCode", f"'{flow_code[:10]}' is not X, M, RX or RM"))
        if problems:
            return problems
        assert not isinstance(period, RowProblem)
        assert not isinstance(reporter, RowProblem)
        assert not isinstance(partner, RowProblem)
        columns = {
            "reporter": reporter[0],
            "partner": partner[0],
            "period": period[0],
            "commodity": "cmdCode",
            "flow": "flowCode",
        }
        common: dict[str, Any] = {
            "reporter": reporter[1],
            "partner": partner[1],
            "flow": COMTRADE_FLOWS[flow_code],
            "commodity": (row.get("cmdCode") or "").strip() or "TOTAL",
            "period": period[1],
            "status": "reported",
            "reporter_stated": self.reporter_stated,
        }
        wanted: list[tuple[dict[str, Any], dict[str, str]]] = []
        value = (row.get("primaryValue") or "").strip()
        if value:
            wanted.append(
                (
                    {**common, "measure": "trade_value", "unit": "USD", "value": value},
                    {**columns, "value": "primaryValue"},
                )
            )
        tonnes = self._tonnes(row)
        if isinstance(tonnes, RowProblem):
            return [tonnes]
        if tonnes is not None:
            column, weight = tonnes
            status = "estimated" if estimated(row, column) else "reported"
            wanted.append(
                (
                    {
                        **common,
                        "measure": "quantity",
                        "unit": "t",
                        "value": weight,
                        "status": status,
                    },
                    {**columns, "value": column},
                )
            )
        quantity = (row.get("qty") or "").strip()
        unit_text = unit_key(row.get("qtyUnitAbbr") or "")
        if quantity and unit_text not in WEIGHT_UNITS | NO_UNIT:
            unit = COMTRADE_UNITS.get(unit_text)
            if unit is None:
                self.dropped[UNKNOWN_UNIT] = self.dropped.get(UNKNOWN_UNIT, 0) + 1
            else:
                status = "estimated" if estimated(row, "qty") else "reported"
                wanted.append(
                    (
                        {
                            **common,
                            "measure": "supplementary_quantity",
                            "unit": unit.value,
                            "value": quantity,
                            "status": status,
                        },
                        {**columns, "value": "qty", "unit": "qtyUnitAbbr"},
                    )
                )
        for column, measure in VALUATIONS.items():
            given = (row.get(column) or "").strip()
            if given:
                wanted.append(
                    (
                        {**common, "measure": measure, "unit": "USD", "value": given},
                        {**columns, "value": column},
                    )
                )
        if not wanted:
            return [RowProblem("primaryValue", "row has neither primaryValue nor a weight")]
        figures: list[NewFigure] = []
        for fields, names in wanted:
            outcome = check(fields, self.refs, self.source_id)
            if isinstance(outcome, list):
                return _problems(outcome, {**names, "source_id": "source"})
            figures.append(outcome)
        return figures

    @staticmethod
    def _tonnes(row: Mapping[str, str]) -> tuple[str, Decimal] | RowProblem | None:
        weight = (row.get("netWgt") or "").strip()
        column = "netWgt"
        if not weight:
            unit = (row.get("qtyUnitAbbr") or "").strip().lower()
            quantity = (row.get("qty") or "").strip()
            if not quantity or unit not in ("kg", "t"):
                return None
            weight, column = quantity, "qty"
            if unit == "t":
                try:
                    return column, Decimal(weight)
                except InvalidOperation:
                    return RowProblem(column, f"'{weight[:40]}' is not a number")
        try:
            return column, Decimal(weight) / KG_PER_TONNE
        except InvalidOperation:
            return RowProblem(column, f"'{weight[:40]}' is not a number")


BACI_COLUMNS = {"t": "refYear", "i": "reporterCode", "j": "partnerCode", "k": "cmdCode"}
# BACI writes a quantity it does not know as NA (padded with spaces in some releases).
BACI_MISSING = frozenset({"", "NA"})
HS_PRODUCT_DIGITS = 6
THOUSAND = Decimal(1000)


def baci_product(code: str) -> str:
    """A BACI product code as HS writes it: some releases drop the leading zero of
    chapters 01-09 (10121 for 010121)."""
    if code.isascii() and code.isdigit() and len(code) == HS_PRODUCT_DIGITS - 1:
        return code.zfill(HS_PRODUCT_DIGITS)
    return code


class BaciLayout:
    """CEPII BACI rows, read as the UN Comtrade rows they would be: exports, in USD and
    tonnes. Problems name BACI's own columns."""

    name = "baci"
    required = frozenset({"t", "i", "j", "k", "v", "q"})
    # The Comtrade column a problem names -> BACI's.
    own_columns: ClassVar[dict[str, str]] = {
        **{comtrade: baci for baci, comtrade in BACI_COLUMNS.items()},
        "primaryValue": "v",
        "qty": "q",
        "period": "t",
        "flowCode": "t",
    }

    def __init__(self, refs: ReferenceData, source_id: int | None) -> None:
        self.as_comtrade = ComtradeLayout(refs, source_id)
        # CEPII reconciles both countries' declarations: a BACI figure is filed under its
        # exporter, but it is not the exporter's own statistics.
        self.as_comtrade.reporter_stated = False
        self.dropped = self.as_comtrade.dropped

    def figures(self, row: Mapping[str, str]) -> list[NewFigure] | list[RowProblem] | LeftOut:
        translated = {
            comtrade: (row.get(baci) or "").strip() for baci, comtrade in BACI_COLUMNS.items()
        }
        translated["cmdCode"] = baci_product(translated["cmdCode"])
        translated["flowCode"] = "X"
        value = (row.get("v") or "").strip()
        if value:
            try:
                number = Decimal(value) if value.isascii() else None
            except InvalidOperation:
                number = None
            if number is None or not number.is_finite():
                return [RowProblem("v", f"'{value[:40]}' is not a number")]
            translated["primaryValue"] = str(number * THOUSAND)
        quantity = (row.get("q") or "").strip()
        if quantity.upper() not in BACI_MISSING:
            translated["qty"], translated["qtyUnitAbbr"] = quantity, "t"
        outcome = self.as_comtrade.figures(translated)
        if isinstance(outcome, LeftOut) or not outcome or isinstance(outcome[0], NewFigure):
            return outcome
        return [
            RowProblem(self.own_columns.get(p.column, p.column), p.reason)
            for p in outcome
            if isinstance(p, RowProblem)
        ]


def detect(
    header: list[str],
    refs: ReferenceData,
    source_id: int | None,
    *,
    refuse_breakdowns: bool = False,
) -> Layout | str:
    """The layout a header row announces, or a sentence saying what is missing."""
    names = {name.strip() for name in header}
    if OwnLayout.required <= names:
        return OwnLayout(refs, source_id)
    if BaciLayout.required == names:
        return BaciLayout(refs, source_id)
    comtrade_markers = {"flowCode", "cmdCode"}
    if comtrade_markers <= names:
        return ComtradeLayout(refs, source_id, refuse_breakdowns=refuse_breakdowns)
    missing = ", ".join(sorted(OwnLayout.required - names))
    return (
        "the header matches no known layout: the tradestats layout needs "
        f"{missing}; the UN Comtrade layout needs flowCode, cmdCode and reporter/partner "
        "codes; CEPII's BACI layout is t,i,j,k,v,q"
    )
