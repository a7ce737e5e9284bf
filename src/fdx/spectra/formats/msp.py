"""NIST MSP and AMDIS MSL libraries: a reader for the dialects found in the wild, and an MSP writer.

Notes
-----
A record is ``key: value`` lines (``Name``, ``Synon``, ``Num Peaks`` ... in any case and order) followed by
its peaks. Records are separated by blank lines; a ``Name:`` line after peaks, or any field once the declared
number of peaks has been read, also starts a new record. A peak line starts with a digit, a sign, a point or
a bracket and holds m/z and intensity pairs separated by any of space, tab, comma, colon, semicolon and
brackets, so one parser reads SWGDRUG (``40 42; 41 493;``), MassBank and MoNA (``51 2.66``, one per line),
Golm (``70:10 76:35``), MS-DIAL (tab-separated, with a quoted annotation) and AMDIS MSL (``( 41   12)``).
Quoted peak annotations are dropped. Peak lines are split with plain string methods and converted to numbers
once per record (a bad record is read again line by line to name the line at fault), which reads SWGDRUG's
3,000 records in about half a second and MassBank's 12,500 EI records in about two.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from typing import TextIO

from fdx.spectra.science.wording import translated as _

from .base import (
    SEPARATORS,
    FormatError,
    ParsedSpectrum,
    RecordProblem,
    check_count,
    lines_of,
    parse_count,
    peaks_from_lines,
)
from .metadata import norm_key, normalise

_PEAK_START = frozenset("0123456789.+-([{")
_QUOTED = re.compile(r'"[^"]*"?')  # an annotation, closed or running to the end of the line
_COUNT_KEYS = frozenset({"numpeaks", "numpeak"})
_MSP_LABELS = (
    ("record_id", "DB#"), ("inchikey", "InChIKey"), ("smiles", "SMILES"), ("inchi", "InChI"),
    ("formula", "Formula"), ("cas", "CAS#"), ("molecular_weight", "MW"), ("exact_mass", "ExactMass"),
    ("retention_index", "RI"), ("retention_time_s", "RETENTIONTIME"), ("precursor_mz", "PrecursorMZ"),
    ("precursor_type", "Precursor_type"), ("ion_mode", "Ion_mode"), ("ms_level", "Spectrum_type"),
    ("instrument", "Instrument"), ("instrument_type", "Instrument_type"), ("ionisation", "Ionization"),
    ("ionisation_energy_ev", "Ionization_energy"), ("license", "License"), ("comment", "Comment"),
)  # fmt: skip


class _Record:
    """One record while it is read."""

    __slots__ = (
        "count", "count_label", "count_line", "fields", "line", "name", "number", "peak_lines", "peak_start",
        "problem",
    )  # fmt: skip

    def __init__(self, number: int, line: int) -> None:
        self.number = number
        self.line = line
        self.name: str | None = None
        self.fields: list[tuple[str, str]] = []
        self.peak_lines: list[str] = []  # consecutive lines, the first one at peak_start
        self.peak_start = 0
        self.count: int | None = None
        self.count_label = "Num Peaks"
        self.count_line: int | None = None
        self.problem: RecordProblem | None = None


def iter_msp(text: str | Iterable[str], path: str) -> Iterator[ParsedSpectrum | FormatError]:
    """Each record of an MSP or MSL text, in file order, as a spectrum or as the error that spoils it."""
    record: _Record | None = None
    peak_lines: list[str] | None = None  # the current record's, once its peaks have begun
    number = 0
    for line_number, raw in enumerate(lines_of(text), 1):
        if peak_lines is not None and raw and raw[0] in _PEAK_START:
            # The hot path: a library is mostly peak lines (stripped later by split()).
            peak_lines.append(raw)
            continue
        line = raw.strip()
        if record is not None and (not line or _starts_new_record(record, line)):
            yield _finish(record, path)
            record = peak_lines = None
        if not line:
            continue
        if record is None:
            number += 1
            record = _Record(number, line_number)
        if record.problem is None:  # after a problem the rest of the record is skipped, not examined
            try:
                _take_line(record, line, line_number)
            except RecordProblem as problem:
                record.problem = problem
        elif line[0] in _PEAK_START:
            # Unchecked: kept only so that a Name: line after them still starts the next record.
            record.peak_lines.append(line)
        peak_lines = record.peak_lines if record.peak_lines and record.problem is None else None
    if record is not None:
        yield _finish(record, path)


def _starts_new_record(record: _Record, line: str) -> bool:
    """A field after peaks starts the next record when it is a name or the declared peaks are all read."""
    if not record.peak_lines or ":" not in line:
        return False
    if norm_key(line.partition(":")[0]) == "name":
        return True
    return record.count is not None and _peak_count(record) >= record.count


def _peak_count(record: _Record) -> int:
    return len(" ".join(record.peak_lines).translate(SEPARATORS).split()) // 2


def _take_line(record: _Record, line: str, line_number: int) -> None:
    if line[0] in _PEAK_START or (record.count is not None and ":" not in line):
        if not record.peak_lines:
            record.peak_start = line_number
        record.peak_lines.append(line)  # a line of words among the peaks fails as "not numbers", here
        return
    key, colon, value = line.partition(":")
    key = key.strip()
    if not colon:
        problem = _("%(line)s is neither a 'key: value' line nor a peak line", line=repr(_clip(line)))
        raise RecordProblem(problem, line=line_number)
    if record.peak_lines:
        raise RecordProblem(_("a field among the peaks"), line=line_number, field=key)
    normal = norm_key(key)
    if normal == "name" and record.name is None:
        record.name = value.strip()
    elif normal in _COUNT_KEYS:
        record.count = parse_count(value, field=key, line=line_number)
        record.count_label, record.count_line = key, line_number
    else:
        record.fields.append((key, value))


def _finish(record: _Record, path: str) -> ParsedSpectrum | FormatError:
    problem = record.problem
    if problem is None:
        lines = record.peak_lines
        if '"' in "".join(lines):
            lines = [_QUOTED.sub(" ", line) for line in lines]
        try:
            mz, intensity = peaks_from_lines(lines, record.peak_start)
            check_count(record.count, len(mz), field=record.count_label, line=record.count_line)
        except RecordProblem as found:
            problem = found
    if problem is not None:
        line = problem.line or record.line
        return FormatError(path, problem.problem, record=record.number, line=line, field=problem.field)
    metadata = normalise(record.fields, default_time_unit="min")
    return ParsedSpectrum(record.name or "", mz, intensity, metadata, record.number, record.line)


def _clip(text: str, length: int = 60) -> str:
    return text if len(text) <= length else text[: length - 1] + "…"


def write_msp(spectra: Iterable[object], stream: TextIO) -> int:
    """Write spectra (anything with name, mz, intensity, metadata) as NIST MSP text; returns how many."""
    written = 0
    for spectrum in spectra:
        stream.write(_msp_record(spectrum))
        written += 1
    return written


def _msp_record(spectrum) -> str:
    metadata = dict(getattr(spectrum, "metadata", None) or {})
    lines = [f"Name: {_one_line(spectrum.name)}"]
    lines += [f"Synon: {_one_line(name)}" for name in metadata.get("synonyms", ()) if str(name).strip()]
    for key, label in _MSP_LABELS:
        if metadata.get(key) not in (None, ""):
            lines.append(f"{label}: {_msp_value(key, metadata[key])}")
    for key, value in (metadata.get("extra") or {}).items():
        if _safe_key(key):
            lines += [f"{key}: {part}" for part in str(value).split("\n") if part.strip()]
    mz, intensity = list(spectrum.mz), list(spectrum.intensity)
    lines.append(f"Num Peaks: {len(mz)}")
    # repr() gives the shortest text that reads back as the same float: no precision is lost.
    lines += [f"{float(m)!r} {float(i)!r}" for m, i in zip(mz, intensity, strict=True)]
    return "\n".join(lines) + "\n\n"


def _msp_value(key: str, value: object) -> str:
    if key == "retention_time_s":
        return repr(float(value) / 60.0)  # MSP convention: RETENTIONTIME in minutes
    if key == "ms_level":
        return f"MS{int(value)}"
    if isinstance(value, float):
        return repr(value)
    return _one_line(value)


def _one_line(value: object) -> str:
    return str(value).replace("\r", " ").replace("\n", " ").strip()


def _safe_key(key: str) -> bool:
    """Whether an extra field can be written back as a ``key: value`` line that reads as the same field."""
    return (
        bool(key)
        and key == key.strip()
        and key[0] not in _PEAK_START
        and not any(char in key for char in ':\n"')
        and norm_key(key) not in {"name", *_COUNT_KEYS}
    )
