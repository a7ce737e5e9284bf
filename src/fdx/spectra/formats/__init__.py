"""Reading and writing mass-spectrum files, free of Django: NIST MSP, AMDIS MSL, JCAMP-DX, MGF, mzML, mzXML,
MassBank records and AIA/ANDI netCDF GC-MS runs.

Every reader returns :class:`ParsedSpectrum` objects with peaks sorted by m/z and metadata under the keys of
:mod:`fdx.spectra.formats.metadata` (see its notes for the rules on retention-time units, CAS numbers and
placeholders). Every record is checked the same way (at least one peak, every m/z finite and above 0, every
intensity finite and 0 or more, not all zero, the declared number of peaks kept, no m/z above
:data:`MAX_MZ`); by default the first bad record raises :class:`FormatError`, so that an import takes all of
a file or nothing of it. An empty file, or one of zero bytes only, is refused as such. :func:`iter_spectra`
reads record by record (text files line by line), for files of any size.

Examples
--------
>>> result = read_spectra("library.msp")  # doctest: +SKIP
>>> result.spectra[0].name, result.spectra[0].metadata.get("cas")  # doctest: +SKIP
('Epiandrosterone', '481-29-8')
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

from fdx.spectra.science.wording import translated as _

from .andi import iter_andi
from .base import MAX_MZ, FormatError, ParsedSpectrum, ReadResult, collect, refuse_empty, text_lines
from .jcamp import iter_jcamp, write_jcamp
from .massbank import iter_massbank
from .metadata import MAIN_FIELDS
from .msp import iter_msp, write_msp
from .pyteomics_formats import iter_mgf, iter_mzml, iter_mzxml

__all__ = [
    "FORMATS",
    "MAIN_FIELDS",
    "MAX_MZ",
    "FormatError",
    "ParsedSpectrum",
    "ReadResult",
    "detect_format",
    "iter_spectra",
    "read_spectra",
    "read_spectra_text",
    "write_jcamp",
    "write_msp",
]

FORMATS = ("msp", "msl", "jcamp", "mgf", "mzml", "mzxml", "andi")
_EXTENSIONS = {
    ".msp": "msp", ".msl": "msl", ".jdx": "jcamp", ".dx": "jcamp", ".jcamp": "jcamp", ".jca": "jcamp",
    ".mgf": "mgf", ".mzml": "mzml", ".mzxml": "mzxml", ".cdf": "andi",
}  # fmt: skip
# Text formats are parsed from a string; MassBank records (.txt) are read only when named explicitly.
_TEXT_READERS = {"msp": iter_msp, "msl": iter_msp, "jcamp": iter_jcamp, "massbank": iter_massbank}
_FILE_READERS = {"mgf": iter_mgf, "mzml": iter_mzml, "mzxml": iter_mzxml, "andi": iter_andi}


def detect_format(path: str | Path) -> str:
    """The format of a file from its extension (any case), so that an upload needs no format choice."""
    suffix = Path(path).suffix.lower()
    if suffix not in _EXTENSIONS:
        known = ", ".join(sorted(_EXTENSIONS))
        extension = repr(suffix) if suffix else _("(none)")
        problem = _(
            "the extension %(extension)s is not a spectrum format (%(known)s)",
            extension=extension,
            known=known,
        )
        raise FormatError(path, problem)
    return _EXTENSIONS[suffix]


def read_spectra(path: str | Path, fmt: str | None = None, *, skip_bad: bool = False) -> ReadResult:
    """Every spectrum of a file; the first bad record raises FormatError unless ``skip_bad`` collects them.

    ``fmt`` is one of :data:`FORMATS` (or ``"massbank"`` for MassBank record text); without it the extension
    decides. A file without any good spectrum raises FormatError either way.
    """
    return collect(iter_spectra(path, fmt), path, skip_bad=skip_bad)


def iter_spectra(
    path: str | Path, fmt: str | None = None, *, position: Callable[[int], object] | None = None
) -> Iterator[ParsedSpectrum | FormatError]:
    """Each record of a file in turn, as a spectrum or as the error that spoils it, holding one record at a
    time (text files are read line by line): the reader of files of any size.

    Raises FormatError at once for an unknown format, an empty file and a file of zero bytes only.
    ``position(bytes)``, when given, is told now and then how far into a text file the reading has come.
    """
    fmt = fmt or detect_format(path)
    if fmt not in _FILE_READERS and fmt not in _TEXT_READERS:
        known = ", ".join((*FORMATS, "massbank"))
        raise FormatError(
            path, _("%(format)s is not a format FDX reads (%(known)s)", format=repr(fmt), known=known)
        )
    refuse_empty(path)
    if fmt in _FILE_READERS:
        return _FILE_READERS[fmt](path)
    return _TEXT_READERS[fmt](text_lines(path, position=position), str(path))


def read_spectra_text(text: str, fmt: str, *, name: str = "<text>", skip_bad: bool = False) -> ReadResult:
    """Every spectrum of a text already in memory (an upload, a test), for MSP, MSL, JCAMP-DX and MassBank.

    ``name`` stands for the file in error messages.
    """
    if fmt not in _TEXT_READERS:
        known = ", ".join(_TEXT_READERS)
        problem = _(
            "%(format)s is not a text format FDX reads from memory (%(known)s)", format=repr(fmt), known=known
        )
        raise FormatError(name, problem)
    return collect(_TEXT_READERS[fmt](text, name), name, skip_bad=skip_bad)
