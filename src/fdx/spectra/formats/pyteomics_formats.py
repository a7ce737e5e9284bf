"""MGF, mzML and mzXML read by pyteomics (the maintained parsers), then checked and normalised like the rest.

Notes
-----
pyteomics stops at the first damage in a file (a broken XML tag, a peak line of words); that becomes one
:class:`FormatError` naming the file and the spectrum after the last good one, and the reading ends there.
A spectrum that pyteomics reads but that fails FDX's checks (no peaks, a zero m/z, a declared peak count that
is not the number of peaks) is one error and the reading goes on. XML formats have no useful line per
spectrum: errors name the spectrum's id and the record number instead (the XML line when lxml gives one).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from functools import partial
from pathlib import Path

from fdx.spectra.science.wording import translated as _

from .base import FormatError, ParsedSpectrum, RecordProblem, check_count, checked_peaks
from .metadata import normalise

Converter = Callable[[dict, int], ParsedSpectrum]
_MZML_SKIPPED = frozenset({"index", "id", "count", "defaultArrayLength", "spectrum title", "m/z array"})


def iter_mgf(path: str | Path) -> Iterator[ParsedSpectrum | FormatError]:
    """Each spectrum of an MGF file (GNPS and MassBank exports, MS/MS runs) or the error that spoils it."""
    # use_index=False: pyteomics' index needs TITLE lines, which library MGF files often lack.
    return _spectra(
        path,
        lambda: _pyteomics().mgf.read(str(path), use_index=False),
        _from_mgf,
        locate=partial(_mgf_line, path),
    )


def iter_mzml(path: str | Path) -> Iterator[ParsedSpectrum | FormatError]:
    """Each spectrum of an mzML run or the error that spoils it."""
    return _spectra(path, lambda: _pyteomics().mzml.read(str(path)), _from_mzml)


def iter_mzxml(path: str | Path) -> Iterator[ParsedSpectrum | FormatError]:
    """Each scan of an mzXML run or the error that spoils it."""
    return _spectra(path, lambda: _pyteomics().mzxml.read(str(path)), _from_mzxml)


def _pyteomics():
    """pyteomics' readers, imported when a file is read: the package takes a second to load, and every
    ``fdx`` command and server start imports this module (through the spectral search's pages)."""
    import pyteomics.mgf
    import pyteomics.mzml
    import pyteomics.mzxml

    return pyteomics


def _spectra(
    path: str | Path,
    open_reader: Callable,
    convert: Converter,
    *,
    locate: Callable[[int], int | None] = lambda _record: None,
) -> Iterator[ParsedSpectrum | FormatError]:
    """The spectra of a pyteomics reader; ``locate(record)`` finds the line to blame in a bad record."""
    record, last_id = 0, None
    try:
        with open_reader() as reader:
            for record, entry in enumerate(reader, 1):
                last_id = _entry_id(entry)
                try:
                    yield convert(entry, record)
                except RecordProblem as problem:
                    yield FormatError(
                        path,
                        problem.problem,
                        record=record,
                        line=locate(record),
                        field=problem.field,
                        spectrum_id=last_id,
                    )
    except OSError:
        raise  # a missing or unreadable file is not a format problem
    except Exception as exc:  # pyteomics and lxml raise many kinds of exception on damaged input
        line = getattr(exc, "lineno", None)
        if last_id:
            problem = _("cannot be read after spectrum '%(id)s': %(reason)s", id=last_id, reason=_reason(exc))
        else:
            problem = _("cannot be read: %(reason)s", reason=_reason(exc))
        yield FormatError(path, problem, record=record + 1, line=line)


def _mgf_line(path: str | Path, record: int) -> int | None:
    """The line to fix in MGF record ``record``: its first peak line without an intensity, else the line
    of its BEGIN IONS. Read again only for a bad record (pyteomics gives no line numbers)."""
    number, start = 0, None
    with Path(path).open(encoding="utf-8", errors="replace") as handle:
        for line_number, raw in enumerate(handle, 1):
            line = raw.strip()
            if line.upper() == "BEGIN IONS":
                number += 1
                start = line_number if number == record else start
            elif number == record and line.upper() == "END IONS":
                break
            elif number == record and line[:1] in _DIGITS and len(line.replace(",", " ").split()) < 2:
                return line_number
    return start


_DIGITS = frozenset("0123456789.+-")


def _entry_id(entry: dict) -> str | None:
    params = entry.get("params") or {}
    found = entry.get("id") or params.get("title") or params.get("name") or params.get("scans")
    return str(found) if found is not None else None


def _reason(exc: Exception) -> str:
    text = str(exc).replace("Pyteomics error, message: ", "").strip().strip("'")
    return " ".join(text.split()) or type(exc).__name__


def _from_mgf(entry: dict, record: int) -> ParsedSpectrum:
    params = dict(entry.get("params") or {})
    # GNPS writes the compound in NAME and a free text in TITLE; the compound is the better name.
    name = str(params.pop("name", None) or params.pop("title", None) or f"spectrum {record}")
    fields = [(key, _text(value)) for key, value in params.items() if key != "pepmass"]
    pepmass = params.get("pepmass")
    if pepmass and pepmass[0] is not None:
        fields.append(("pepmass", repr(float(pepmass[0]))))  # the precursor m/z; its intensity is dropped
    mz, intensity = checked_peaks(entry["m/z array"], entry["intensity array"])
    # MGF writes RTINSECONDS; a bare retention time is taken as seconds too.
    return ParsedSpectrum(name, mz, intensity, normalise(fields, default_time_unit="s"), record, 0)


def _from_mzml(entry: dict, record: int) -> ParsedSpectrum:
    fields = [
        (key, _text(value)) for key, value in entry.items() if _scalar(value) and key not in _MZML_SKIPPED
    ]
    fields.insert(0, ("id", str(entry.get("id", ""))))
    for polarity in ("positive", "negative"):
        if f"{polarity} scan" in entry:
            fields.append(("ion mode", polarity))
    scans = (entry.get("scanList") or {}).get("scan") or [{}]
    if "scan start time" in scans[0]:
        fields.append(("scan start time", _with_unit(scans[0]["scan start time"])))
    precursor = _first(entry, "precursorList", "precursor", "selectedIonList", "selectedIon")
    if precursor and "selected ion m/z" in precursor:
        fields.append(("selected ion m/z", _text(precursor["selected ion m/z"])))
    mz, intensity = checked_peaks(entry["m/z array"], entry["intensity array"])
    check_count(entry.get("defaultArrayLength"), len(mz), field="defaultArrayLength", line=None)
    name = str(entry.get("spectrum title") or entry.get("id") or f"spectrum {record}")
    return ParsedSpectrum(name, mz, intensity, normalise(fields, default_time_unit="s"), record, 0)


def _from_mzxml(entry: dict, record: int) -> ParsedSpectrum:
    fields = [
        (key, _with_unit(value) if key == "retentionTime" else _text(value))
        for key, value in entry.items()
        if _scalar(value) and key not in {"peaksCount", "num"}
    ]
    precursors = entry.get("precursorMz") or []
    if precursors and "precursorMz" in precursors[0]:
        fields.append(("precursorMz", _text(precursors[0]["precursorMz"])))
    mz, intensity = checked_peaks(entry["m/z array"], entry["intensity array"])
    check_count(entry.get("peaksCount"), len(mz), field="peaksCount", line=None)
    name = f"scan {entry.get('num', record)}"
    return ParsedSpectrum(name, mz, intensity, normalise(fields, default_time_unit="min"), record, 0)


def _first(entry: dict, *path: str) -> dict | None:
    """The first element down a chain of mzML lists (precursorList/precursor/...), or None."""
    node: object = entry
    for key in path:
        if not isinstance(node, dict):
            return None
        node = node.get(key)
        if isinstance(node, list):
            node = node[0] if node else None
    return node if isinstance(node, dict) else None


def _scalar(value: object) -> bool:
    return isinstance(value, str | int | float) and not isinstance(value, bool)


def _text(value: object) -> str:
    if isinstance(value, float):
        return repr(value)
    return str(value)


def _with_unit(value: object) -> str:
    """A pyteomics unit-carrying number as ``"12.5 minute"``, which the metadata rules convert to seconds."""
    unit = getattr(value, "unit_info", None)
    return f"{float(value)!r} {unit}" if unit else _text(value)
