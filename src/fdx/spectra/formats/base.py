"""What every format reader returns (a parsed spectrum or a format error) and the checks every record passes.

Notes
-----
A reader yields, record by record, either a :class:`ParsedSpectrum` or a :class:`FormatError`; the caller
decides whether the first error stops the import (the default: a bad file imports nothing) or is reported
beside the good records. Inside a reader a record's problem is raised as :class:`RecordProblem` (the code
that finds it does not know the file) and turned into a :class:`FormatError` once per record.
"""

from __future__ import annotations

import codecs
import re
from bisect import bisect_right
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path

import numpy

from fdx.spectra.science.wording import translated as _

#: The highest m/z a record may hold. Mass spectrometers of small molecules stop far below it (EI libraries
#: at about 1,000, Orbitraps at 6,000); a larger value is a damaged or mis-scaled file, never a peak.
MAX_MZ = 100_000.0


@dataclass
class ParsedSpectrum:
    """One spectrum as read from a file: peaks sorted by m/z, normalised metadata, and where it was found."""

    name: str
    mz: numpy.ndarray  # float64, ascending
    intensity: numpy.ndarray  # float64
    metadata: dict[str, object] = field(default_factory=dict)
    record: int = 0  # 1-based position in the file
    line: int = 0  # 1-based line where the record starts; 0 where unknown (XML formats)


class FormatError(ValueError):
    """A file, or one record of it, that is not what its format says; ``str()`` names the file and place."""

    def __init__(
        self,
        path: str | Path,
        problem: str,
        *,
        record: int | None = None,
        line: int | None = None,
        field: str | None = None,
        spectrum_id: str | None = None,
    ) -> None:
        self.path = str(path)
        self.problem = problem
        self.record = record
        self.line = line
        self.field = field
        self.spectrum_id = spectrum_id  # XML formats name the spectrum instead of a line
        super().__init__(self.__str__())

    def __str__(self) -> str:
        file = Path(self.path).name
        if self.record is not None and self.line and self.spectrum_id:
            where = _(
                "%(file)s, record %(record)s (spectrum '%(spectrum)s', line %(line)s)",
                file=file,
                record=self.record,
                spectrum=self.spectrum_id,
                line=self.line,
            )
        elif self.record is not None and self.line:
            where = _(
                "%(file)s, record %(record)s (line %(line)s)", file=file, record=self.record, line=self.line
            )
        elif self.record is not None and self.spectrum_id:
            where = _(
                "%(file)s, record %(record)s (spectrum '%(spectrum)s')",
                file=file,
                record=self.record,
                spectrum=self.spectrum_id,
            )
        elif self.record is not None:
            where = _("%(file)s, record %(record)s", file=file, record=self.record)
        elif self.line:
            where = _("%(file)s, line %(line)s", file=file, line=self.line)
        else:
            where = file
        if self.field:
            where = _("%(place)s, field '%(field)s'", place=where, field=self.field)
        return f"{where}: {self.problem}"

    def __reduce__(self):
        # The keyword-only constructor would not survive pickling (tasks carry errors between processes).
        keywords = {"record": self.record, "line": self.line, "field": self.field}
        return (partial(FormatError, spectrum_id=self.spectrum_id, **keywords), (self.path, self.problem))


@dataclass
class ReadResult:
    """The spectra read from a file and, when bad records were skipped, one error for each of them."""

    spectra: list[ParsedSpectrum] = field(default_factory=list)
    errors: list[FormatError] = field(default_factory=list)


class RecordProblem(Exception):
    """A problem of the record being read; the reader adds the file and record number."""

    def __init__(self, problem: str, *, line: int | None = None, field: str | None = None) -> None:
        super().__init__(problem)
        self.problem = problem
        self.line = line
        self.field = field


class PeakTokens:
    """The number tokens of one record's peak lines, each line remembered so that an error can name it."""

    __slots__ = ("marks", "starts", "tokens")

    def __init__(self) -> None:
        self.tokens: list[str] = []
        self.starts: list[int] = []  # index of the first token of each line
        self.marks: list[int] = []  # that line's number

    def add(self, tokens: list[str], line: int) -> None:
        """Append one line's tokens."""
        self.starts.append(len(self.tokens))
        self.marks.append(line)
        self.tokens.extend(tokens)

    def line_of(self, token: int) -> int | None:
        """The line that holds token number ``token``."""
        position = bisect_right(self.starts, token) - 1
        return self.marks[position] if position >= 0 else None


#: Characters that separate numbers in peak lists: NIST allows any of them between m/z and intensity.
SEPARATORS = str.maketrans(dict.fromkeys("\t,;:()[]{}", " "))


def peaks_from_lines(
    lines: list[str], first_line: int, *, group: int = 2, scale: tuple[float, float] = (1.0, 1.0)
) -> tuple[numpy.ndarray, numpy.ndarray]:
    """Checked peaks from consecutive peak lines, ``group`` numbers per peak, m/z and intensity first.

    A good record is split and converted in one go (fast: a library has a million peak lines); only a bad one
    is read again line by line, so that the error names the line to fix.
    """
    tokens = " ".join(lines).translate(SEPARATORS).split()
    try:
        if len(tokens) % group:
            raise RecordProblem(_("a peak is incomplete"))
        values = numpy.array(tokens, dtype=numpy.float64).reshape(-1, group)
        return checked_peaks(values[:, 0] * scale[0], values[:, 1] * scale[1])
    except (ValueError, RecordProblem):
        pass
    return peaks_from_tokens(_line_by_line(lines, first_line, group), group=group, scale=scale)


def _line_by_line(lines: list[str], first_line: int, group: int) -> PeakTokens:
    peaks = PeakTokens()
    for offset, line in enumerate(lines):
        tokens = line.translate(SEPARATORS).split()
        if len(tokens) % group:
            clipped = repr(line if len(line) <= 60 else line[:59] + "…")
            if group == 2:
                problem = _("peak line %(line)s does not hold pairs of m/z and intensity", line=clipped)
            else:
                problem = _(
                    "peak line %(line)s does not hold groups of %(count)s numbers", line=clipped, count=group
                )
            raise RecordProblem(problem, line=first_line + offset)
        peaks.add(tokens, first_line + offset)
    return peaks


def peaks_from_tokens(
    peaks: PeakTokens, *, group: int = 2, scale: tuple[float, float] = (1.0, 1.0)
) -> tuple[numpy.ndarray, numpy.ndarray]:
    """Checked peaks from tokens read ``group`` per peak (m/z and intensity first); errors name the line."""
    try:
        values = numpy.array(peaks.tokens, dtype=numpy.float64)
    except ValueError:
        bad = _first_non_number(peaks.tokens)
        problem = _("a peak line holds %(token)s where a number belongs", token=repr(peaks.tokens[bad]))
        raise RecordProblem(problem, line=peaks.line_of(bad)) from None
    table = values.reshape(-1, group)
    mz, intensity = table[:, 0] * scale[0], table[:, 1] * scale[1]
    return checked_peaks(mz, intensity, line_of=lambda index: peaks.line_of(index * group))


def _first_non_number(tokens: list[str]) -> int:
    for index, token in enumerate(tokens):
        try:
            float(token)
        except ValueError:
            return index
    return 0  # NumPy refused what Python accepts (rare Unicode digits): blame the first peak line


def checked_peaks(
    mz: numpy.ndarray, intensity: numpy.ndarray, *, line_of: Callable[[int], int | None] | None = None
) -> tuple[numpy.ndarray, numpy.ndarray]:
    """The peaks as float64 arrays sorted by m/z, after the checks every record of every format passes."""
    mz = numpy.ascontiguousarray(mz, dtype=numpy.float64)
    intensity = numpy.ascontiguousarray(intensity, dtype=numpy.float64)
    if len(mz) != len(intensity):
        problem = _(
            "%(mz)s m/z values but %(intensity)s intensities: a peak lacks its intensity",
            mz=len(mz),
            intensity=len(intensity),
        )
        raise RecordProblem(problem, field="peaks")
    if len(mz) == 0:
        raise RecordProblem(_("the record has no peaks"))
    # Four reductions decide a good record (NaN fails every comparison); a bad one is then looked into.
    low, high, least, most = mz.min(), mz.max(), intensity.min(), intensity.max()
    if not (low > 0 and high <= MAX_MZ and least >= 0 and most < numpy.inf):
        _raise_bad_peak(mz, intensity, line_of or (lambda _index: None))
    if most == 0:
        raise RecordProblem(_("every intensity is zero"))
    if len(mz) > 1 and (mz[1:] < mz[:-1]).any():
        order = numpy.argsort(mz, kind="stable")
        mz, intensity = mz[order], intensity[order]
    return mz, intensity


def _raise_bad_peak(mz: numpy.ndarray, intensity: numpy.ndarray, line: Callable[[int], int | None]) -> None:
    bad = ~numpy.isfinite(mz) | (mz <= 0)
    if bad.any():
        index = int(bad.argmax())
        problem = _("m/z %(value)s is not a finite number above 0", value=f"{mz[index]:g}")
        raise RecordProblem(problem, line=line(index), field="m/z")
    if (mz > MAX_MZ).any():
        index = int((mz > MAX_MZ).argmax())
        problem = _(
            "m/z %(value)s is above %(most)s, the highest m/z FDX reads: the file is damaged or mis-scaled",
            value=f"{mz[index]:g}",
            most=f"{MAX_MZ:,.0f}",
        )
        raise RecordProblem(problem, line=line(index), field="m/z")
    index = int((~numpy.isfinite(intensity) | (intensity < 0)).argmax())
    problem = _("intensity %(value)s is not a finite number of 0 or more", value=f"{intensity[index]:g}")
    raise RecordProblem(problem, line=line(index), field="intensity")


def check_count(declared: int | None, given: int, *, field: str, line: int | None) -> None:
    """Raise when a record's declared number of peaks is not the number read."""
    if declared is not None and declared != given:
        problem = _("says %(declared)s peaks, %(given)s were given", declared=declared, given=given)
        raise RecordProblem(problem, field=field, line=line)


def parse_count(value: str, *, field: str, line: int | None) -> int:
    """A declared number of peaks, which must be a whole number of 0 or more."""
    try:
        count = int(value.strip())
    except ValueError:
        problem = _("%(value)s is not a whole number", value=repr(value.strip()))
        raise RecordProblem(problem, field=field, line=line) from None
    if count < 0:
        raise RecordProblem(_("%(count)s is not a number of peaks", count=count), field=field, line=line)
    return count


def read_text(path: str | Path) -> str:
    """The file's text: UTF-8 (a byte-order mark dropped); else Windows-1251 when its non-ASCII bytes spell
    Cyrillic words, as the region's older instrument software writes; else Latin-1, as old NIST and AMDIS
    exports are. A byte that Windows-1251 leaves undefined (0x98) becomes U+FFFD, never an error."""
    data = Path(path).read_bytes()
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("cp1251" if _looks_cyrillic(data) else "latin-1", errors="replace")


def text_encoding(path: str | Path, *, block: int = 1 << 20) -> str:
    """The encoding :func:`read_text` would choose, found by reading the file in blocks (memory flat)."""
    decoder = codecs.getincrementaldecoder("utf-8-sig")()
    high = in_words = 0
    utf8 = True
    with Path(path).open("rb") as handle:
        while data := handle.read(block):
            if utf8:
                try:
                    decoder.decode(data)
                except UnicodeDecodeError:
                    utf8 = False
            high += len(_HIGH_BYTE.findall(data))
            in_words += sum(len(word) for word in _CYRILLIC_WORD.findall(data))
    if utf8:
        try:
            decoder.decode(b"", final=True)
            return "utf-8-sig"
        except UnicodeDecodeError:
            pass
    return "cp1251" if high > 0 and in_words * 2 >= high else "latin-1"


def text_lines(path: str | Path, *, position: Callable[[int], object] | None = None) -> Iterator[str]:
    """The lines of a text file one by one (any line ends, no end-of-line characters), decoded as
    :func:`read_text` decodes it: a reader fed these holds one record at a time, whatever the file's size.
    ``position(bytes)`` is told every few thousand lines how far the reading has come."""
    encoding = text_encoding(path)
    with Path(path).open(encoding=encoding, errors="replace", newline=None) as handle:
        for count, line in enumerate(handle):
            if position is not None and not count % 4096:
                position(handle.buffer.tell())
            yield line[:-1] if line.endswith("\n") else line


def lines_of(source: str | Iterable[str]) -> Iterable[str]:
    """The lines of a text in memory (split as an editor splits them) or an iterable of lines as it is."""
    return split_lines(source) if isinstance(source, str) else source


_HIGH_BYTE = re.compile(rb"[\x80-\xff]")
_CYRILLIC_WORD = re.compile(rb"[\xc0-\xff\xa8\xb8]{3,}")


def _looks_cyrillic(data: bytes) -> bool:
    """Whether most non-ASCII bytes stand in runs of three or more Windows-1251 letters: Russian words do,
    while Latin-1 text has a lone accented letter or symbol between ASCII ones (é, µ, °)."""
    high = len(_HIGH_BYTE.findall(data))
    in_words = sum(len(word) for word in _CYRILLIC_WORD.findall(data))
    return high > 0 and in_words * 2 >= high


def refuse_empty(path: str | Path, *, block: int = 1 << 16) -> None:
    """Raise FormatError for an empty file or one of zero bytes only (a copy that failed, a blank disk
    sector), which would otherwise read as a file without spectra, or worse, as no error at all."""
    with Path(path).open("rb") as handle:
        data = handle.read(block)
        if not data:
            raise FormatError(path, _("the file is empty"))
        while data and not data.strip(b"\x00"):
            data = handle.read(block)
        if not data:
            raise FormatError(path, _("the file holds only zero bytes, not spectra: the copy may be damaged"))


def split_lines(text: str) -> list[str]:
    """The lines of a text whatever its line ends (Windows, Unix, old Mac), numbered as an editor does."""
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    return text.split("\n")


def collect(items: Iterable[ParsedSpectrum | FormatError], path: str | Path, *, skip_bad: bool) -> ReadResult:
    """Gather a reader's records: raise the first error, or keep the errors beside the good spectra."""
    result = ReadResult()
    for item in items:
        if isinstance(item, FormatError):
            if not skip_bad:
                raise item
            result.errors.append(item)
        else:
            result.spectra.append(item)
    if not result.spectra:
        problem = _("holds no spectrum")
        if result.errors:
            count, first = len(result.errors), result.errors[0]
            problem = _(
                "holds no readable spectrum (%(count)s bad records; the first: %(first)s)",
                count=count,
                first=first,
            )
        raise FormatError(path, problem)
    return result
