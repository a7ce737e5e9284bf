"""MassBank record text (``ACCESSION: ...`` to ``//``), the native format of the MassBank-data repository.

Notes
-----
A record is ``TAG: value`` lines; some tags carry a subtag first (``AC$MASS_SPECTROMETRY: ION_MODE POSITIVE``,
``CH$LINK: CAS 58-08-2``), kept in ``extra`` as ``"AC$MASS_SPECTROMETRY ION_MODE"``. ``PK$PEAK: m/z int.
rel.int.`` is followed by indented peak lines with those columns; the absolute intensity (``int.``) is read,
as MassBank's own tools do. The first ``CH$NAME`` is the name, the others are synonyms. Records end with
``//``. The files are plain ``.txt``, so this reader is used only when asked for by name (``fmt="massbank"``).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from fdx.spectra.science.wording import translated as _

from .base import (
    FormatError,
    ParsedSpectrum,
    RecordProblem,
    check_count,
    lines_of,
    parse_count,
    peaks_from_lines,
)
from .metadata import normalise

_SUBTAGGED = frozenset({
    "AC$MASS_SPECTROMETRY", "AC$CHROMATOGRAPHY", "AC$GENERAL", "MS$FOCUSED_ION", "MS$DATA_PROCESSING",
    "CH$LINK", "SP$LINK",
})  # fmt: skip
_SPELLINGS = {
    "CH$NAME": "synonym", "CH$FORMULA": "formula", "CH$EXACT_MASS": "exact mass", "CH$SMILES": "smiles",
    "CH$IUPAC": "inchi", "AC$INSTRUMENT": "instrument", "AC$INSTRUMENT_TYPE": "instrument type",
}  # fmt: skip


class _Record:
    """One record while it is read."""

    __slots__ = ("count", "count_line", "fields", "group", "in_peaks", "line", "name", "number", "peak_lines",
                 "peak_start", "problem", "spellings")  # fmt: skip

    def __init__(self, number: int, line: int) -> None:
        self.number, self.line = number, line
        self.name: str | None = None
        self.fields: list[tuple[str, str]] = []
        self.spellings = dict(_SPELLINGS)
        self.in_peaks = False
        self.group = 2
        self.peak_lines: list[str] = []
        self.peak_start = 0
        self.count: int | None = None
        self.count_line: int | None = None
        self.problem: RecordProblem | None = None


def iter_massbank(text: str | Iterable[str], path: str) -> Iterator[ParsedSpectrum | FormatError]:
    """Each record of a MassBank record text, in file order, as a spectrum or as the error that spoils it."""
    record: _Record | None = None
    number = 0
    for line_number, raw in enumerate(lines_of(text), 1):
        line = raw.rstrip()
        if line.strip() == "//" and record is not None:
            yield _finish(record, path)
            record = None
        if not line.strip() or line.strip() == "//":
            continue
        if record is None:
            number += 1
            record = _Record(number, line_number)
        if record.problem is None:
            try:
                _take_line(record, line, line_number)
            except RecordProblem as problem:
                record.problem = problem
    if record is not None:  # the last record may lack its "//"
        yield _finish(record, path)


def _take_line(record: _Record, line: str, line_number: int) -> None:
    if line[0] in " \t":
        _take_indented(record, line.strip(), line_number)
        return
    tag, colon, value = line.partition(":")
    tag, value = tag.strip(), value.strip()
    if not colon:
        raise RecordProblem(_("%(line)s is not a 'TAG: value' line", line=repr(line[:60])), line=line_number)
    record.in_peaks = tag == "PK$PEAK"
    if record.in_peaks:
        record.group = max(2, len(value.split()))  # "m/z int. rel.int." names three columns
    elif tag == "PK$NUM_PEAK":
        record.count, record.count_line = parse_count(value, field=tag, line=line_number), line_number
    elif tag == "CH$NAME" and record.name is None:
        record.name = value
    elif tag in _SUBTAGGED:
        subtag, _space, rest = value.partition(" ")
        record.fields.append((f"{tag} {subtag}", rest))
        record.spellings[f"{tag} {subtag}"] = subtag
    else:
        record.fields.append((tag, value))


def _take_indented(record: _Record, text: str, line_number: int) -> None:
    if record.in_peaks:
        if not record.peak_lines:
            record.peak_start = line_number
        record.peak_lines.append(text)
    elif record.fields:
        key, value = record.fields[-1]
        record.fields[-1] = (key, f"{value}\n{text}")  # a table under a tag (PK$ANNOTATION) stays with it
    else:
        raise RecordProblem(_("an indented line before any tag"), line=line_number)


def _finish(record: _Record, path: str) -> ParsedSpectrum | FormatError:
    try:
        if record.problem is not None:
            raise record.problem
        mz, intensity = peaks_from_lines(record.peak_lines, record.peak_start, group=record.group)
        check_count(record.count, len(mz), field="PK$NUM_PEAK", line=record.count_line)
    except RecordProblem as problem:
        line = problem.line or record.line
        return FormatError(path, problem.problem, record=record.number, line=line, field=problem.field)
    metadata = normalise(record.fields, default_time_unit="min", spellings=record.spellings)
    return ParsedSpectrum(record.name or "", mz, intensity, metadata, record.number, record.line)
