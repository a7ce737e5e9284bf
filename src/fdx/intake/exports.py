"""The findings a user may see, written out for their own tools: XLSX and Parquet, next to the CSV and JSON
the case list streams (``fdx.examinations.exports``, whose one row builder every format reads).

Every file says when it was made, on which node and with which filter (the database keeps changing): the
XLSX file on a second sheet, the Parquet files in their schema's metadata. Parquet is written as a dataset
partitioned by year of seizure and country (``year=2024/country=KZ/…``, the layout DuckDB and Spark read as
it is), a batch of rows at a time, so memory stays flat however many rows there are. Each export is
recorded in the audit chain before its first row, as the streamed ones are.
"""

from __future__ import annotations

import datetime
import decimal
import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.utils import timezone

from fdx import __version__
from fdx.examinations import exports, selectors
from fdx.examinations.export_runs import filters_to_json

#: Rows per Parquet row group and per batch read from the database.
BATCH_ROWS = 50_000
#: The columns that are numbers in a typed file (text in CSV, as the case list exports them).
_DECIMALS = {"net_mass_g": 3, "content_percent": 2, "amount_g": 4, "base_equivalent_g": 4}
_INTEGERS = {"unit_count", "revision"}


@dataclass(frozen=True)
class Written:
    """What an export wrote: how many rows, and where."""

    rows: int
    path: Path


def about(filters: selectors.CaseFilters) -> dict[str, str]:
    """What every exported file says of itself: when, where, with which filter, in which schema."""
    return {
        "fdx_version": __version__,
        "exported_at": timezone.now().isoformat(timespec="seconds"),
        "node": settings.FDX_NODE_NAME,
        "filter": json.dumps(filters_to_json(filters), ensure_ascii=False, sort_keys=True),
        "columns": ", ".join(exports.COLUMNS),
    }


def write_xlsx(viewer, filters: selectors.CaseFilters, path: Path) -> Written:
    """The findings as an XLSX workbook (a write-only workbook: rows go to disk as they come); its second
    sheet says when, where and with which filter it was made."""
    from openpyxl import Workbook

    exports.record_export(viewer, filters, "xlsx")
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("findings")
    sheet.append(exports.COLUMNS)
    count = 0
    for count, row in enumerate(_typed_rows(viewer, filters), start=1):  # noqa: B007 (the count is kept)
        sheet.append(row)
    notes = workbook.create_sheet("about")
    for key, value in about(filters).items():
        notes.append([key, value])
    workbook.save(path)
    return Written(count, path)


def write_parquet(viewer, filters: selectors.CaseFilters, directory: Path) -> Written:
    """The findings as a Parquet dataset in ``directory`` (a new folder), partitioned by year of seizure and
    country: ``year=2024/country=KZ/part-0.parquet``, the partition columns in the path only (the hive
    layout). Written in this thread (the rows come from this thread's database connection), a row group of
    at most ``BATCH_ROWS`` rows at a time: the rows come newest seizure first, so a year's files are closed
    once the next year starts, and memory holds at most a row group per country."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    exports.record_export(viewer, filters, "parquet")
    directory.mkdir(parents=True, exist_ok=False)
    schema = parquet_schema().with_metadata({f"fdx.{k}": v for k, v in about(filters).items()})
    country = exports.COLUMNS.index("country")
    writers: dict[tuple[int, str], pq.ParquetWriter] = {}
    buffers: dict[tuple[int, str], list[tuple]] = {}
    count = 0

    def flush(key: tuple[int, str]) -> None:
        rows = buffers.pop(key, [])
        if not rows:
            return
        if key not in writers:
            folder = directory / f"year={key[0]}" / f"country={key[1]}"
            folder.mkdir(parents=True, exist_ok=True)
            writers[key] = pq.ParquetWriter(folder / "part-0.parquet", schema)
        columns = list(zip(*rows, strict=True))
        arrays = [pa.array(values, type=field.type) for values, field in zip(columns, schema, strict=True)]
        writers[key].write_table(pa.Table.from_arrays(arrays, schema=schema))

    year = None
    for row in _typed_rows(viewer, filters):
        key = (row[2].year, row[country])
        if key[0] != year:
            for done in [k for k in writers.keys() | buffers.keys() if k[0] == year]:
                flush(done)
                if done in writers:
                    writers.pop(done).close()
            year = key[0]
        values = row[:country] + row[country + 1 :]
        buffers.setdefault(key, []).append(values)
        count += 1
        if len(buffers[key]) >= BATCH_ROWS:
            flush(key)
    for key in list(buffers):
        flush(key)
    for writer in writers.values():
        writer.close()
    return Written(count, directory)


def parquet_schema():
    """The columns as a typed Arrow schema: dates as dates, masses and contents as decimals at the scales the
    database keeps, counts as integers, the rest as text. The country of seizure and its year are the
    partitions (in the files' path, not in the files)."""
    import pyarrow as pa

    fields = []
    for column in exports.COLUMNS:
        if column == "country":
            continue
        if column == "seizure_date":
            kind = pa.date32()
        elif column in _DECIMALS:
            kind = pa.decimal128(18, _DECIMALS[column])
        elif column in _INTEGERS:
            kind = pa.int32()
        else:
            kind = pa.string()
        fields.append(pa.field(column, kind))
    return pa.schema(fields)


def _typed_rows(viewer, filters) -> Iterator[tuple]:
    """The export's rows with their values typed (a date, decimals, integers; None for an empty value)."""
    positions = {name: index for index, name in enumerate(exports.COLUMNS)}
    dates = positions["seizure_date"]
    decimals = [positions[name] for name in _DECIMALS]
    integers = [positions[name] for name in _INTEGERS]
    for row in exports.row_values(viewer, filters):
        values = list(row)
        values[dates] = datetime.date.fromisoformat(values[dates])
        for index in decimals:
            values[index] = decimal.Decimal(values[index]) if values[index] != "" else None
        for index in integers:
            values[index] = int(values[index]) if values[index] != "" else None
        yield tuple(values)
