"""UN Comtrade files read in columns: pyarrow parses the CSV in blocks, every check runs
over whole columns (a code is looked up once per distinct value, not once per row), and
the figures go to the staging table as Arrow columns, with no Python object per row.

This reader only vouches for files it can prove clean. At the first thing it cannot (a bad
or unusual value, a repeated figure, text its parser cannot read), it says so and the
import reads the file again with the row reader, which names every problem with its line.
A file the row reader would refuse is therefore refused with the same words, and a clean
file is stored exactly as the row reader would store it: the same figures, values and
order.
"""

import csv
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pa_csv

from app.commodities.models import commodity_key
from app.imports.column_values import (
    AMOUNT_NUMBER,
    Estimates,
    by_unit,
    canonical,
    flow_code,
    status_codes,
    supplementary_unit,
    thousands,
    tonnes,
    vouch,
    weights_valid,
)
from app.imports.column_values import NotVouchedError as NotVouchedError
from app.imports.files import SAMPLE_BYTES, OpenedFile
from app.imports.layouts import (
    BACI_COLUMNS,
    BACI_MISSING,
    BREAKDOWN_TOTALS,
    ESTIMATION_FLAGS,
    HS_PRODUCT_DIGITS,
    MAX_AREA_TEXT,
    NO_UNIT,
    VALUATIONS,
    WEIGHT_UNITS,
    BaciLayout,
    ComtradeLayout,
    RowProblem,
)
from app.observations import models as stored
from app.observations.staging import StagedWrite
from app.observations.staging.partitions import BulkLoad
from app.shared.periods import PeriodError, parse_period
from app.shared.vocabulary import Attribution, Measure, Qualifier, Status, Unit

# Measured on a 1M-row file: 1 MiB blocks peak at 371 MiB RSS, 4 MiB ones at 475, in
# the same time.
BLOCK_BYTES = 1 << 20
# Figure rows a Comtrade row gives, in the row reader's order: its value, its weight in
# tonnes, its quantity in its own unit, its CIF and its FOB value.
FIGURES_PER_ROW = 5
PERIOD_COLUMNS = ("period", "refYear", "refMonth")
COLUMNS = (
    "period",
    "refYear",
    "refMonth",
    "reporterISO",
    "reporterCode",
    "partnerISO",
    "partnerCode",
    "flowCode",
    "cmdCode",
    "primaryValue",
    "netWgt",
    "qty",
    "qtyUnitAbbr",
    *VALUATIONS,
    *ESTIMATION_FLAGS.values(),
    "legacyEstimationFlag",
    "classificationCode",
    *BREAKDOWN_TOTALS,
)


@dataclass
class ColumnarOutcome:
    rows: int
    figures: int
    breakdowns: int  # rows left out as breakdowns of a figure (`layouts.BREAKDOWN`)


def header_of(opened: OpenedFile) -> list[str] | None:
    """The header row's names, stripped, read from the first block without consuming it;
    None when the first line does not fit in it."""
    sample = opened.binary.peek(SAMPLE_BYTES)  # type: ignore[attr-defined]
    end = sample.find(b"\n")
    if end < 0:
        return None
    line = sample[:end].decode("utf-8-sig", errors="strict").rstrip("\r")
    names = next(csv.reader([line], delimiter=opened.delimiter), [])
    return [name.strip() for name in names]


class _Lookups:
    """Each distinct code of a file, checked once as the row reader checks it."""

    def __init__(self, layout: ComtradeLayout, staged: StagedWrite | BulkLoad) -> None:
        self.layout = layout
        self.areas = staged.areas
        self.periods: dict[str, tuple[date, date, str]] = {}
        self.places: dict[str, int] = {}
        self.commodities: dict[str, int] = {}

    def period(self, key: str) -> tuple[date, date, str]:
        found = self.periods.get(key)
        if found is None:
            parts = key.split("|")
            if len(parts) != len(PERIOD_COLUMNS):  # a "|" in the file's own text
                raise NotVouchedError
            period, year, month = parts
            given = self.layout.period_of({"period": period, "refYear": year, "refMonth": month})
            if isinstance(given, RowProblem):
                raise NotVouchedError
            try:
                parsed = parse_period(given[1])
            except PeriodError:
                raise NotVouchedError from None
            found = self.periods[key] = (parsed.start, parsed.end, parsed.label)
        return found

    def place(self, text: str) -> int:
        found = self.places.get(text)
        if found is None:
            code = None
            if text and len(text) <= MAX_AREA_TEXT:
                code = self.layout.refs.country(text)
            if code is None:
                raise NotVouchedError
            found = self.places[text] = self.areas[code]
        return found

    def commodity(self, text: str) -> int:
        found = self.commodities.get(text)
        if found is None:
            code = (text or "TOTAL").upper()
            if not self.layout.refs.commodity(code):
                raise NotVouchedError
            found = self.commodities[text] = commodity_key(code)
        return found


def _mapped(
    column: pa.Array, lookup: Callable[[str], Any], kind: pa.DataType | None = None
) -> pa.Array:
    """`lookup` of each distinct value, spread back over the column."""
    encoded = pc.dictionary_encode(column)
    values = pa.array([lookup(value) for value in encoded.dictionary.to_pylist()], type=kind)
    return pc.take(values, encoded.indices)


class ComtradeColumns:
    """Stages a Comtrade file with its source, in the order the row reader would."""

    def __init__(
        self, layout: ComtradeLayout, staged: StagedWrite | BulkLoad, source_id: int
    ) -> None:
        if source_id not in layout.refs.sources:
            raise NotVouchedError
        self.staged = staged
        self.source_id = source_id
        self.lookups = _Lookups(layout, staged)
        self.layout = layout
        self.rows = 0
        self.figures = 0
        self.breakdowns = 0
        # The natural key of each row (status and source are the file's own).
        self.keys: list[pa.Table] = []
        self.constants = {
            "status": stored.STATUS_CODE.codes[Status.REPORTED],
            "qualifier": stored.QUALIFIER_CODE.codes[Qualifier.EXACT],
            "attribution": stored.ATTRIBUTION_CODE.codes[Attribution.PUBLISHER],
        }

    def columns_wanted(self, header: list[str]) -> list[str]:
        return [name for name in COLUMNS if name in header]

    def read(
        self, opened: OpenedFile, header: list[str], on_progress: Callable[[], None] | None
    ) -> ColumnarOutcome:
        if len(set(header)) != len(header):  # the row reader keeps the last of each name
            raise NotVouchedError
        wanted = self.columns_wanted(header)
        try:
            reader = pa_csv.open_csv(
                opened.binary,
                read_options=pa_csv.ReadOptions(
                    column_names=header, skip_rows=1, block_size=BLOCK_BYTES
                ),
                parse_options=pa_csv.ParseOptions(
                    delimiter=opened.delimiter, ignore_empty_lines=False
                ),
                convert_options=pa_csv.ConvertOptions(
                    include_columns=wanted,
                    column_types=dict.fromkeys(wanted, pa.string()),
                    strings_can_be_null=False,
                    quoted_strings_can_be_null=False,
                ),
            )
            for batch in reader:
                self._batch(batch)
                if on_progress is not None:
                    on_progress()
        except (pa.ArrowInvalid, UnicodeDecodeError):
            raise NotVouchedError from None
        if self.keys:
            # Two rows of one flow, commodity and span are one figure given twice.
            keys = pa.concat_tables(self.keys)
            if keys.group_by(keys.column_names).aggregate([]).num_rows < keys.num_rows:
                raise NotVouchedError
        return ColumnarOutcome(self.rows, self.figures, self.breakdowns)

    def _batch(self, batch: pa.RecordBatch) -> None:
        batch = self._totals_only(batch)
        count = batch.num_rows
        if not count:
            return

        def column(name: str) -> pa.Array:
            if name in batch.schema.names:
                return pc.utf8_trim_whitespace(batch.column(name))
            return pa.nulls(count, pa.string()).fill_null("")

        lookups = self.lookups
        classes = pc.unique(pc.utf8_upper(column("classificationCode"))).to_pylist()
        self.layout.classifications.update(code[:8] for code in classes if code)
        period_keys = pc.binary_join_element_wise(*map(column, PERIOD_COLUMNS), "|")
        spans = pc.dictionary_encode(period_keys)
        found = [lookups.period(key) for key in spans.dictionary.to_pylist()]
        starts = pc.take(pa.array([span[0] for span in found], pa.date32()), spans.indices)
        ends = pc.take(pa.array([span[1] for span in found], pa.date32()), spans.indices)
        labels = pc.take(pa.array([span[2] for span in found], pa.string()), spans.indices)

        def place(role: str) -> pa.Array:
            iso, code = column(f"{role}ISO"), column(f"{role}Code")
            return _mapped(pc.if_else(pc.equal(iso, ""), code, iso), lookups.place, pa.int16())

        reporter, partner = place("reporter"), place("partner")
        vouch(pc.not_equal(reporter, partner))
        flow = _mapped(pc.utf8_upper(column("flowCode")), flow_code, pa.int16())
        commodity = _mapped(column("cmdCode"), lookups.commodity, pa.int32())

        value = column("primaryValue")
        has_value = pc.not_equal(value, "")
        vouch(pc.or_(pc.invert(has_value), pc.match_substring_regex(value, AMOUNT_NUMBER)))
        weight, kilograms, has_net = self._weight(column)
        has_weight = pc.not_equal(weight, "")
        vouch(pc.or_(has_value, has_weight))
        vouch(pc.or_(pc.invert(has_weight), by_unit(weight, kilograms, weights_valid)))
        estimated = Estimates(column)
        weight_status = status_codes(
            pc.if_else(has_net, estimated.of("netWgt"), estimated.of("qty"))
        )

        quantity = column("qty")
        unit_text = pc.utf8_lower(pc.replace_substring_regex(column("qtyUnitAbbr"), r"\s+", ""))
        has_quantity = pc.and_(
            pc.not_equal(quantity, ""),
            pc.invert(pc.is_in(unit_text, pa.array(sorted(WEIGHT_UNITS | NO_UNIT)))),
        )
        vouch(pc.or_(pc.invert(has_quantity), pc.match_substring_regex(quantity, AMOUNT_NUMBER)))
        units = _mapped(pc.filter(unit_text, has_quantity), supplementary_unit, pa.int16())

        self.keys.append(
            pa.table(
                {
                    "reporter": reporter,
                    "partner": partner,
                    "flow": flow,
                    "commodity": commodity,
                    "start": starts,
                    "end": ends,
                }
            )
        )
        first = self.staged.staged
        self.staged.staged += FIGURES_PER_ROW * count
        positions = pa.arange(first, first + FIGURES_PER_ROW * count, FIGURES_PER_ROW)
        shared = {
            "reporter": reporter,
            "partner": partner,
            "flow": flow,
            "commodity_id": commodity,
            "period_start": starts,
            "period_end": ends,
            "period": labels,
        }
        reported = status_codes(pa.repeat(pa.scalar(False), count))
        weights = pc.filter(weight, has_weight)
        in_kilograms = pc.filter(kilograms, has_weight)
        staged = [
            (
                has_value,
                canonical(pc.filter(value, has_value), 0),
                Measure.TRADE_VALUE,
                None,
                reported,
            ),
            (
                has_weight,
                by_unit(weights, in_kilograms, tonnes),
                Measure.QUANTITY,
                None,
                weight_status,
            ),
            (
                has_quantity,
                canonical(pc.filter(quantity, has_quantity), 0),
                Measure.SUPPLEMENTARY_QUANTITY,
                units,
                status_codes(estimated.of("qty")),
            ),
        ]
        for name, word in VALUATIONS.items():
            given = column(name)
            has = pc.not_equal(given, "")
            vouch(pc.or_(pc.invert(has), pc.match_substring_regex(given, AMOUNT_NUMBER)))
            staged.append((has, canonical(pc.filter(given, has), 0), Measure(word), None, reported))
        tables = [
            self._figures_of(
                pc.add(positions, offset) if offset else positions,
                shared,
                keep,
                values,
                measure,
                unit,
                status,
            )
            for offset, (keep, values, measure, unit, status) in enumerate(staged)
        ]
        found = [table for table in tables if table is not None]
        if found:
            # Every measure of the block in one call: one pass over its periods, one append
            # (or one stretch of the COPY), however many measures the file gives.
            block = pa.concat_tables(found)
            self.staged.add_table(
                block,
                {
                    **self.constants,
                    "source_id": self.source_id,
                    "reporter_stated": self.layout.reporter_stated,
                },
            )
            self.figures += block.num_rows
        self.rows += count

    def _totals_only(self, batch: pa.RecordBatch) -> pa.RecordBatch:
        """The rows of totals; breakdown rows are counted and left out (or, when the import
        refuses them, left to the row reader to list)."""
        breakdown = None
        for name, totals in BREAKDOWN_TOTALS.items():
            if name in batch.schema.names:
                given = pc.utf8_upper(pc.utf8_trim_whitespace(batch.column(name)))
                other = pc.invert(pc.is_in(given, pa.array(sorted(totals))))
                breakdown = other if breakdown is None else pc.or_(breakdown, other)
        if breakdown is None or not pc.any(breakdown).as_py():
            return batch
        if self.layout.refuse_breakdowns:
            raise NotVouchedError
        kept = batch.filter(pc.invert(breakdown))
        self.breakdowns += batch.num_rows - kept.num_rows
        self.rows += batch.num_rows - kept.num_rows
        return kept

    @staticmethod
    def _weight(column: Callable[[str], pa.Array]) -> tuple[pa.Array, pa.Array, pa.Array]:
        """The weight text of each row, whether it is in kilograms (else tonnes), and
        whether it is netWgt: netWgt in kg, or else qty when its unit is kg or t, as the
        row reader takes it."""
        net, quantity = column("netWgt"), column("qty")
        unit = pc.utf8_lower(column("qtyUnitAbbr"))
        has_net = pc.not_equal(net, "")
        in_tonnes = pc.and_(pc.invert(has_net), pc.equal(unit, "t"))
        from_quantity = pc.and_(pc.invert(has_net), pc.is_in(unit, pa.array(["kg", "t"])))
        weight = pc.if_else(has_net, net, pc.if_else(from_quantity, quantity, ""))
        return weight, pc.invert(in_tonnes), has_net

    @staticmethod
    def _figures_of(
        positions: pa.Array,
        shared: dict[str, pa.Array],
        keep: pa.Array,
        values: pa.Array,
        measure: Measure,
        units: pa.Array | None,
        statuses: pa.Array,
    ) -> pa.Table | None:
        """The kept rows' figures of one measure (None when no row has one); `units`, the
        kept rows' unit codes, where the measure has more than one unit."""
        kept = pc.filter(positions, keep)
        count = len(kept)
        if not count:
            return None
        unit = Unit.TONNE if measure is Measure.QUANTITY else Unit.USD
        # Measure and unit are columns, so that the measures of a block stack into one
        # table with the same columns and constants.
        return pa.table(
            {
                "position": kept,
                **{name: pc.filter(array, keep) for name, array in shared.items()},
                "value": values,
                "measure": pa.repeat(
                    pa.scalar(stored.MEASURE_CODE.codes[measure], pa.int16()), count
                ),
                "unit": units
                if units is not None
                else pa.repeat(pa.scalar(stored.UNIT_CODE.codes[unit], pa.int16()), count),
                "status": pc.filter(statuses, keep),
            }
        )


class BaciColumns(ComtradeColumns):
    """Stages a CEPII BACI file: each block is read as the UN Comtrade block it would be
    (exports; the value in USD, the quantity in tonnes), as `layouts.BaciLayout` reads a
    row."""

    def columns_wanted(self, header: list[str]) -> list[str]:
        return [name for name in header if name in BaciLayout.required]

    def _batch(self, batch: pa.RecordBatch) -> None:
        count = batch.num_rows

        def column(name: str) -> pa.Array:
            return pc.utf8_trim_whitespace(batch.column(name))

        product = column("k")
        short = pc.and_(
            pc.equal(pc.utf8_length(product), HS_PRODUCT_DIGITS - 1),
            pc.match_substring_regex(product, r"^[0-9]+$"),
        )
        value = column("v")
        has_value = pc.not_equal(value, "")
        vouch(pc.or_(pc.invert(has_value), pc.match_substring_regex(value, AMOUNT_NUMBER)))
        quantity = column("q")
        missing = pc.is_in(pc.utf8_upper(quantity), pa.array(sorted(BACI_MISSING)))
        translated = {
            **{comtrade: column(baci) for baci, comtrade in BACI_COLUMNS.items()},
            "cmdCode": pc.if_else(short, pc.utf8_lpad(product, HS_PRODUCT_DIGITS, "0"), product),
            "flowCode": pa.repeat(pa.scalar("X"), count),
            "primaryValue": pc.if_else(has_value, thousands(value), ""),
            "qty": pc.if_else(missing, "", quantity),
            "qtyUnitAbbr": pa.repeat(pa.scalar("t"), count),
        }
        super()._batch(pa.RecordBatch.from_pydict(translated))
