"""JCAMP-DX mass spectra (4.24 and 5.01): a reader of single, concatenated, linked and paged blocks; a writer.

Notes
-----
A block runs from ``##TITLE=`` to ``##END=`` (or to the next ``##TITLE=``: NIST's ``.jca`` libraries just
concatenate blocks). A ``##DATA TYPE=LINK`` block with ``##BLOCKS=`` only holds other blocks and is not a
spectrum. Peaks come in ``##XYDATA=``, ``##PEAK TABLE=`` or ``##DATA TABLE=`` tables of the forms
``(XY..XY)``, ``(XYXY)`` or ``(XYW..XYW)``/``(XYM..XYM)`` (the third number is dropped), several points per
line separated by spaces, commas or semicolons, scaled by ``##XFACTOR=``/``##YFACTOR=``. A block with several
tables is a GC-MS run (MassLynx and PyMassSpec exports, ``##PAGE=`` / ``##SCAN_NUMBER=`` between tables): each
table is one spectrum, with the block's labels before its first table plus the labels since the previous
table (which win). ``$$`` starts a comment. Label names are compared as the standard says, ignoring case,
spaces, hyphens, underscores and slashes. ``##RETENTION_TIME=`` is in seconds, the JCAMP-DX MS convention.
Compressed (ASDF) ``(X++(Y..Y))`` data is a continuous spectrum, not a peak list, and is refused.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import TextIO

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
from .metadata import norm_key, normalise, number

_TABLES = frozenset({"xydata", "peaktable", "datatable"})
# Labels that describe the file's layout, not the spectrum: used while reading, not kept in the metadata.
_LAYOUT = frozenset({
    "jcampdx", "datatype", "dataclass", "blocks", "blockid", "npoints", "xunits", "yunits", "xfactor",
    "yfactor", "firstx", "lastx", "deltax", "minx", "maxx", "firsty", "miny", "maxy",
})  # fmt: skip
_FORMS = {"(XY..XY)": 2, "(XYXY)": 2, "(XY)": 2, "(XYW..XYW)": 3, "(XYM..XYM)": 3}
_WRITTEN_BY_WRITER = frozenset(
    norm_key(label)
    for label in (
        "TITLE", "END", "JCAMP-DX", "DATA TYPE", "DATA CLASS", "ORIGIN", "OWNER", "NAMES", "XUNITS", "YUNITS",
        "NPOINTS", "XYDATA", "PEAK TABLE", "DATA TABLE", "BLOCKS", "BLOCK_ID", "PAGE", "NTUPLES", "XFACTOR",
        "YFACTOR",
    )
)  # fmt: skip
# Standard labels where JCAMP-DX has one, vendor labels (##$) for the rest; the reader knows both.
_JCAMP_LABELS = (
    ("formula", "MOLFORM"), ("cas", "CAS REGISTRY NO"), ("molecular_weight", "MW"),
    ("exact_mass", "$EXACT MASS"), ("inchikey", "$INCHIKEY"), ("smiles", "$SMILES"), ("inchi", "$INCHI"),
    ("record_id", "$RECORD ID"), ("retention_index", "$RETENTION INDEX"),
    ("retention_time_s", "RETENTION_TIME"), ("precursor_mz", "$PRECURSOR M/Z"),
    ("precursor_type", "$PRECURSOR TYPE"), ("ion_mode", "$ION MODE"), ("ms_level", "$MS LEVEL"),
    ("instrument", "SPECTROMETER/DATA SYSTEM"), ("instrument_type", "$INSTRUMENT TYPE"),
    ("ionisation", "IONIZATION MODE"), ("ionisation_energy_ev", "$IONIZATION ENERGY"),
    ("license", "$LICENSE"), ("comment", "$COMMENT"),
)  # fmt: skip

Label = list  # [name as written, value, line]


class _Page:
    """One peak table and the labels that came since the previous one."""

    __slots__ = ("first", "group", "labels", "line", "lines", "problem")

    def __init__(self, labels: dict[str, Label], line: int, table: tuple[str, str, int]) -> None:
        label, form, table_line = table
        self.labels = labels
        self.line = line
        self.lines: list[str] = []  # every line after the table label, blank ones too, so numbering holds
        self.first = table_line + 1
        self.group = _FORMS.get(form.split(",")[0].replace(" ", "").upper(), 0)
        self.problem = None
        if not self.group:
            problem = _("data form %(form)s is not a peak table such as (XY..XY)", form=repr(form))
            self.problem = RecordProblem(problem, line=table_line, field=label)


class _Block:
    """A ``##TITLE=`` block while it is read."""

    __slots__ = ("header", "line", "pages", "problem", "scope", "scope_line", "title")

    def __init__(self, title: str, line: int) -> None:
        self.title = title
        self.line = line
        self.header: dict[str, Label] = {}  # the labels before the first table
        self.scope = self.header  # where the next label goes
        self.scope_line: int | None = line
        self.pages: list[_Page] = []
        self.problem: RecordProblem | None = None

    def add_label(self, key: str, name: str, value: str, line: int) -> Label:
        """Keep a label in the current scope; a repeated one adds its value on a new line."""
        if self.scope_line is None:
            self.scope_line = line
        entry = self.scope.get(key)
        if entry is None:
            entry = self.scope[key] = [name, value, line]
        else:
            entry[1] += "\n" + value  # a label repeated in one block keeps every value
        return entry

    def add_table(self, label: str, form: str, line: int) -> _Page:
        """Start a peak table: it closes the current scope, and the next labels belong to the next table."""
        page = _Page(self.scope, self.scope_line or line, (label, form, line))
        self.pages.append(page)
        self.scope, self.scope_line = {}, None
        return page


class _Reader:
    """The state of one JCAMP-DX text being read, line by line."""

    def __init__(self, path: str) -> None:
        self.path = path
        self.block: _Block | None = None
        self.table: _Page | None = None
        self.current: Label | None = None  # the label a continuation line belongs to
        self.record = 0
        self.stray_reported = False

    def label(self, line: str, line_number: int) -> Iterator[ParsedSpectrum | FormatError]:
        """Take a ``##LABEL=value`` line; ``##TITLE`` and ``##END`` close the block before (yielding it)."""
        name, _equals, value = line[2:].partition("=")
        key, value = norm_key(name), value.strip()
        self.table = self.current = None
        if key in {"title", "end"}:
            yield from self.close()
            if key == "title":
                self.block = _Block(value, line_number)
        elif not key:
            return
        elif self.block is None:
            self.block = _Block("", line_number)
            self.block.problem = RecordProblem(f"label ##{name.strip()} comes before any ##TITLE")
        elif key in _TABLES:
            self.table = self.block.add_table(name.strip(), value, line_number)
        else:
            self.current = self.block.add_label(key, name.strip(), value, line_number)

    def text(self, line: str, line_number: int) -> Iterator[FormatError]:
        """Take a line outside any table: a label value continued, or stray text (reported once)."""
        if self.current is not None:
            self.current[1] += "\n" + line  # a value continued on the next line (##NAMES= lists one a line)
        elif not self.stray_reported:
            self.stray_reported = True
            problem = _("text %(text)s is not inside a ##TITLE block", text=repr(line[:40]))
            yield FormatError(self.path, problem, line=line_number)

    def close(self) -> Iterator[ParsedSpectrum | FormatError]:
        """Yield the spectra (or errors) of the block being read, one per peak table."""
        block, self.block, self.table, self.current = self.block, None, None, None
        if block is None:
            return
        if block.problem is not None:
            self.record += 1
            yield FormatError(self.path, block.problem.problem, record=self.record, line=block.line)
            return
        if block.pages and block.scope:
            block.pages[-1].labels = {**block.scope, **block.pages[-1].labels}  # labels after the last table
        if not block.pages:
            if "MASS" in block.header.get("datatype", ["", ""])[1].upper():
                self.record += 1
                problem = _("the block has no peak table")
                yield FormatError(self.path, problem, record=self.record, line=block.line)
            return  # a LINK block, or one that is not a spectrum
        for index, page in enumerate(block.pages, 1):
            self.record += 1
            yield self.spectrum(block, page, index)

    def spectrum(self, block: _Block, page: _Page, index: int) -> ParsedSpectrum | FormatError:
        """One table of a block as a checked spectrum with its labels, or the error that spoils it."""
        labels = block.header if page.labels is block.header else {**block.header, **page.labels}
        try:
            mz, intensity = _peaks(page, labels)
        except RecordProblem as problem:
            line = problem.line or page.line
            return FormatError(self.path, problem.problem, record=self.record, line=line, field=problem.field)
        fields: list[tuple[str, str]] = []
        for key, (name, value, _line) in labels.items():
            if key not in _LAYOUT:
                fields += [(name, part) for part in value.split("\n")] if key == "names" else [(name, value)]
        name = block.title
        if len(block.pages) > 1:
            name = f"{block.title} scan {labels.get('scannumber', ['', str(index)])[1]}".strip()
        metadata = normalise(fields, default_time_unit="s")
        return ParsedSpectrum(name, mz, intensity, metadata, self.record, page.line)


def _peaks(page: _Page, labels: dict[str, Label]):
    if page.problem is not None:
        raise page.problem
    data_type = labels.get("datatype")
    if data_type and "MASS" not in data_type[1].upper():
        problem = _("%(type)s is not a mass spectrum", type=repr(data_type[1]))
        raise RecordProblem(problem, line=data_type[2], field=data_type[0])
    scale = (_factor(labels, "xfactor"), _factor(labels, "yfactor"))
    mz, intensity = peaks_from_lines(page.lines, page.first, group=page.group, scale=scale)
    declared = labels.get("npoints")
    if declared is not None:
        count = parse_count(declared[1], field=declared[0], line=declared[2])
        check_count(count, len(mz), field=declared[0], line=declared[2])
    return mz, intensity


def _factor(labels: dict[str, Label], key: str) -> float:
    entry = labels.get(key)
    if entry is None:
        return 1.0
    factor = number(entry[1])
    if factor is None or factor == 0:
        raise RecordProblem(
            _("%(value)s is not a scale factor", value=repr(entry[1])), line=entry[2], field=entry[0]
        )
    return factor


def iter_jcamp(text: str | Iterable[str], path: str) -> Iterator[ParsedSpectrum | FormatError]:
    """Each spectrum of a JCAMP-DX text, in file order, as a spectrum or as the error that spoils it."""
    reader = _Reader(path)
    for line_number, raw in enumerate(lines_of(text), 1):
        line = (raw.split("$$", 1)[0] if "$$" in raw else raw).strip()
        if line.startswith("##"):
            yield from reader.label(line, line_number)
        elif reader.table is not None:
            reader.table.lines.append(line)
        elif line:
            yield from reader.text(line, line_number)
    yield from reader.close()


def write_jcamp(spectra: Iterable[object], stream: TextIO) -> int:
    """Write spectra (anything with name, mz, intensity, metadata) as JCAMP-DX 5.01; returns how many.

    One spectrum is one block; several are linked blocks under a ``##DATA TYPE=LINK`` block, as the standard
    has it for a library.
    """
    spectra = list(spectra)
    if len(spectra) == 1:
        stream.write(_block(spectra[0], None))
        return 1
    stream.write(f"##TITLE=FDX library\n##JCAMP-DX=5.01\n##DATA TYPE=LINK\n##BLOCKS={len(spectra)}\n")
    for block_id, spectrum in enumerate(spectra, 1):
        stream.write(_block(spectrum, block_id))
    stream.write("##END=\n")
    return len(spectra)


def _block(spectrum, block_id: int | None) -> str:
    metadata = dict(getattr(spectrum, "metadata", None) or {})
    extra = dict(metadata.get("extra") or {})
    lines = [f"##TITLE={_one_line(spectrum.name)}", "##JCAMP-DX=5.01"]
    if block_id is not None:
        lines.append(f"##BLOCK_ID={block_id}")
    lines += ["##DATA TYPE=MASS SPECTRUM", "##DATA CLASS=PEAK TABLE"]
    # ORIGIN and OWNER are required; FDX did not make the spectrum, so they stay empty when unknown.
    origin, owner = _one_line(extra.get("ORIGIN", "")), _one_line(extra.get("OWNER", ""))
    lines += [f"##ORIGIN={origin}", f"##OWNER={owner}"]
    synonyms = [_one_line(name) for name in metadata.get("synonyms", ()) if str(name).strip()]
    if synonyms:
        lines.append("##NAMES=" + "\n".join(synonyms))
    for key, label in _JCAMP_LABELS:
        if metadata.get(key) not in (None, ""):
            value = metadata[key]
            lines.append(
                f"##{label}={value!r}" if isinstance(value, float) else f"##{label}={_one_line(value)}"
            )
    for key, value in extra.items():
        if _safe_key(key):
            lines += [f"##{key}={part}" for part in str(value).split("\n") if part.strip()]
    lines += ["##XUNITS=M/Z", "##YUNITS=RELATIVE ABUNDANCE", f"##NPOINTS={len(spectrum.mz)}"]
    lines.append("##PEAK TABLE=(XY..XY)")
    # repr() gives the shortest text that reads back as the same float: no precision is lost.
    lines += [f"{float(m)!r}, {float(i)!r}" for m, i in zip(spectrum.mz, spectrum.intensity, strict=True)]
    lines.append("##END=")
    return "\n".join(lines) + "\n"


def _one_line(value: object) -> str:
    return str(value).replace("\r", " ").replace("\n", " ").strip()


def _safe_key(key: str) -> bool:
    """Whether an extra field can be written as a label that reads back as the same field."""
    return (
        bool(key.strip())
        and not any(char in key for char in "=\n")
        and not key.startswith("$$")
        and norm_key(key) not in _WRITTEN_BY_WRITER
    )
