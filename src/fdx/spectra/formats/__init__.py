"""Reading and writing mass-spectrum files, free of Django: NIST MSP, AMDIS MSL, JCAMP-DX, MGF, mzML, mzXML.

Every reader returns :class:`ParsedSpectrum` objects with peaks sorted by m/z and metadata under the keys of
:mod:`fdx.spectra.formats.metadata` (see its notes for the rules on retention-time units, CAS numbers and
placeholders). Every record is checked the same way (at least one peak, every m/z finite and above 0, every
intensity finite and 0 or more, not all zero, the declared number of peaks kept); by default the first bad
record raises :class:`FormatError`, so that an import takes all of a file or nothing of it.

Examples
--------
>>> result = read_spectra("library.msp")  # doctest: +SKIP
>>> result.spectra[0].name, result.spectra[0].metadata.get("cas")  # doctest: +SKIP
('Epiandrosterone', '481-29-8')
"""

from __future__ import annotations

from pathlib import Path

from fdx.spectra.science.wording import translated as _

from .base import FormatError, ParsedSpectrum, ReadResult, collect, read_text
from .jcamp import iter_jcamp, write_jcamp
from .massbank import iter_massbank
from .metadata import MAIN_FIELDS
from .msp import iter_msp, write_msp
from .pyteomics_formats import iter_mgf, iter_mzml, iter_mzxml

__all__ = [
    "FORMATS",
    "MAIN_FIELDS",
    "FormatError",
    "ParsedSpectrum",
    "ReadResult",
    "detect_format",
    "read_spectra",
    "read_spectra_text",
    "write_jcamp",
    "write_msp",
]

FORMATS = ("msp", "msl", "jcamp", "mgf", "mzml", "mzxml")
_EXTENSIONS = {
    ".msp": "msp", ".msl": "msl", ".jdx": "jcamp", ".dx": "jcamp", ".jcamp": "jcamp", ".jca": "jcamp",
    ".mgf": "mgf", ".mzml": "mzml", ".mzxml": "mzxml",
}  # fmt: skip
# Text formats are parsed from a string; MassBank records (.txt) are read only when named explicitly.
_TEXT_READERS = {"msp": iter_msp, "msl": iter_msp, "jcamp": iter_jcamp, "massbank": iter_massbank}
_FILE_READERS = {"mgf": iter_mgf, "mzml": iter_mzml, "mzxml": iter_mzxml}


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
    fmt = fmt or detect_format(path)
    if fmt in _FILE_READERS:
        return collect(_FILE_READERS[fmt](path), path, skip_bad=skip_bad)
    if fmt in _TEXT_READERS:
        return collect(_TEXT_READERS[fmt](read_text(path), str(path)), path, skip_bad=skip_bad)
    known = ", ".join((*FORMATS, "massbank"))
    raise FormatError(
        path, _("%(format)s is not a format FDX reads (%(known)s)", format=repr(fmt), known=known)
    )


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
