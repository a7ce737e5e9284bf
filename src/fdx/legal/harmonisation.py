"""Harmonisation of scheduling across jurisdictions (UN GA resolution 78/284: "unified approaches to
scheduling"): a matrix of substances × jurisdictions, a gap report ordered by how often a substance was found
where it is not controlled, and the engine of a proposed listing ("what if it had been in force").

The legal app knows structures, lists, dates and amounts, not case data: how often each structure was found
in each country is given by the caller (``fdx.examinations.harmonisation`` counts the findings a viewer may
see), and so is what a proposal is tried against.
"""

from __future__ import annotations

import csv
import datetime
import io
from dataclasses import dataclass, field, replace
from functools import lru_cache

from django.utils.translation import gettext as _
from rdkit import Chem

from fdx.core.spreadsheet import text_row, xlsx_row
from fdx.legal import selectors
from fdx.legal.engine.data import EntryInfo, GenericInfo
from fdx.legal.engine.engine import Engine
from fdx.legal.engine.structure import Query
from fdx.legal.models import Jurisdiction, Listing
from fdx.substances.models import Substance

CENTRAL_ASIA = ("KZ", "KG", "TJ", "TM", "UZ")

#: (parent InChIKey, country of seizure) → how often it was found there.
FoundCounts = dict[tuple[str, str], int]


@dataclass
class Cell:
    controlled: bool | None
    lists: list[str]
    since: str
    kinds: list[str]
    verified: bool


@dataclass
class Row:
    inchikey: str
    name: str
    substance_id: str = ""
    query: Query | None = None
    cells: dict[str, Cell] = field(default_factory=dict)
    findings_by_country: dict[str, int] = field(default_factory=dict)

    @property
    def findings(self) -> int:
        return sum(self.findings_by_country.values())


@dataclass
class Matrix:
    day: datetime.date
    jurisdictions: list[str]
    rows: list[Row]


def matrix(found: FoundCounts, jurisdictions=(), day: datetime.date | None = None) -> Matrix:
    """Every substance listed anywhere or counted in ``found``, assessed in every jurisdiction asked (all by
    default) on ``day`` (today by default)."""
    codes = selectors.jurisdiction_codes(jurisdictions)
    day = day or datetime.date.today()
    rows = _rows(found)
    engine = selectors.engine()
    for row in rows:
        query = row.query
        for code in codes:
            answer = engine.assess(query, code, day)
            decisive = [b for b in answer.basis if b.decides]
            row.cells[code] = Cell(
                controlled=answer.controlled,
                lists=answer.lists,
                since=min((b.effective_from for b in decisive), default=""),
                kinds=sorted({b.kind for b in answer.basis}),
                verified=bool(decisive) and all(b.verified for b in decisive),
            )
    rows.sort(key=lambda r: (-r.findings, r.name.casefold()))
    return Matrix(day, codes, rows)


def _rows(counts: FoundCounts) -> list[Row]:
    """One row per parent structure: every current listing with a structure, and every substance found."""
    rows: dict[str, Row] = {}
    for listing in (
        Listing.objects.current()
        .filter(is_exclusion=False)
        .exclude(inchikey="")
        .select_related("substance")
        .order_by("control_list__position", "name_en")
    ):
        if listing.inchikey not in rows:
            row = Row(listing.inchikey, listing.substance.name if listing.substance_id else listing.name_en)
            row.query = _structure_query(listing.smiles)
            rows[listing.inchikey] = row
    parents = {s.inchikey: s for s in Substance.objects.filter(inchikey__in={k for k, _c in counts})}
    for (inchikey, country), number in counts.items():
        row = rows.get(inchikey)
        if row is None:
            substance = parents.get(inchikey)
            if substance is None:
                continue
            row = Row(inchikey, substance.name, str(substance.global_id))
            row.query = selectors.query_for_substance(substance)
            rows[inchikey] = row
        row.findings_by_country[country] = row.findings_by_country.get(country, 0) + number
    for substance in Substance.objects.filter(inchikey__in=list(rows), parent__isnull=True):
        rows[substance.inchikey].substance_id = str(substance.global_id)
    return list(rows.values())


@lru_cache(maxsize=8192)
def _structure_query(smiles: str) -> Query:
    """Standardising is most of a matrix's cost; a listed structure's query is the same every time."""
    return Query.from_text(smiles)


# Gaps


@dataclass
class Gap:
    row: Row
    controlled_in: list[str]
    not_controlled_in: list[str]
    undecided_in: list[str]
    findings_where_not_controlled: int


def gaps(
    found: FoundCounts, group=CENTRAL_ASIA, day: datetime.date | None = None
) -> tuple[Matrix, list[Gap]]:
    """Substances controlled in some jurisdictions of ``group`` and not (or not known to be) in others,
    ordered by how often (``found``) they were found in the countries where they are not controlled."""
    table = matrix(found, group, day)
    countries = dict(
        Jurisdiction.objects.filter(code__in=table.jurisdictions).values_list("code", "country_id")
    )
    found = []
    for row in table.rows:
        controlled = [c for c in table.jurisdictions if row.cells[c].controlled is True]
        not_controlled = [c for c in table.jurisdictions if row.cells[c].controlled is False]
        undecided = [c for c in table.jurisdictions if row.cells[c].controlled is None]
        if controlled and (not_controlled or undecided):
            elsewhere = sum(
                row.findings_by_country.get(countries.get(c) or "", 0) for c in not_controlled + undecided
            )
            found.append(Gap(row, controlled, not_controlled, undecided, elsewhere))
    found.sort(
        key=lambda g: (
            -g.findings_where_not_controlled,
            -g.row.findings,
            -len(g.controlled_in),
            g.row.name.casefold(),
        )
    )
    return table, found


# What if


@dataclass
class Proposal:
    """A listing that might be adopted: a structure, a SMARTS class, or another jurisdiction's generic
    definition, in ``jurisdiction`` from ``effective_from`` (None: as if it had always been in force)."""

    jurisdiction: str
    structure: str = ""
    smarts: str = ""
    generic_code: str = ""
    effective_from: datetime.date | None = None


class ProposalError(ValueError):
    """A proposal the engine cannot read; names the field."""

    def __init__(self, field_name: str, message: str):
        self.field = field_name
        super().__init__(message)


def proposal_engine(proposal: Proposal) -> Engine:
    """An engine that knows only the proposed listing, in a list of its own that covers salts and
    stereoisomers (``ProposalError`` names the field it cannot read; an unknown jurisdiction raises
    ``Jurisdiction.DoesNotExist``)."""
    jurisdiction = selectors.get_jurisdiction(proposal.jurisdiction)
    return Engine(_proposal_snapshot(proposal, jurisdiction.code))


def proposal_covers(proposed: Engine, proposal: Proposal, query: Query) -> bool:
    """Whether the proposed listing, from its start, controls the structure of ``query``."""
    start = max(proposal.effective_from or datetime.date.min, datetime.date(1900, 1, 1))
    return proposed.assess(query, proposal.jurisdiction.strip().upper(), start).controlled is True


def _proposal_snapshot(proposal: Proposal, jurisdiction: str):
    """A snapshot holding only the proposal, in a list of its own that covers salts and stereoisomers."""
    from fdx.legal.engine import generic
    from fdx.legal.engine.data import ListInfo, Snapshot

    base = selectors.engine().snapshot
    code = "PROPOSAL"
    start = proposal.effective_from or datetime.date(1900, 1, 1)
    snapshot = Snapshot(
        jurisdictions={jurisdiction: base.jurisdictions.get(jurisdiction, jurisdiction)},
        complete={jurisdiction: True},
        lists={code: ListInfo(code, jurisdiction, _("Proposed listing"), True, True, False)},
    )
    if proposal.structure:
        query = Query.from_text(proposal.structure)
        if query.error:
            raise ProposalError("structure", query.error)
        snapshot.entries.append(
            EntryInfo(
                code,
                _("proposed substance"),
                query.inchikey,
                query.skeleton,
                "-UHFFFAOYSA-" not in query.inchikey,
                start,
                None,
                "",
                "",
                False,
                entry_id="proposal",
            )
        )
    elif proposal.smarts:
        rule = {"any_of": [proposal.smarts]}
        try:
            generic.match(rule, Chem.MolFromSmiles("C"))  # compiles the pattern: a bad SMARTS says so here
        except generic.RuleError as exc:
            raise ProposalError("smarts", str(exc)) from None
        snapshot.generics.append(
            GenericInfo(
                "proposal", code, jurisdiction, _("proposed class"), "class", rule, start, None, "", "", False
            )
        )
    elif proposal.generic_code:
        adopted = next((g for g in base.generics if g.code == proposal.generic_code), None)
        if adopted is None or adopted.kind == "analogue_similarity":
            raise ProposalError("generic_code", _("Choose a structural generic definition."))
        snapshot.generics.append(
            replace(
                adopted, list_code=code, jurisdiction=jurisdiction, effective_from=start, effective_to=None
            )
        )
    else:
        raise ProposalError("structure", _("Give a structure, a SMARTS class or a generic definition."))
    return snapshot


# Exports


def matrix_csv(table: Matrix) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(
        [
            "substance",
            "inchikey",
            "findings",
            *[f"{c} status" for c in table.jurisdictions],
            *[f"{c} lists" for c in table.jurisdictions],
            *[f"{c} since" for c in table.jurisdictions],
        ]
    )
    for row in table.rows:
        writer.writerow(
            text_row(
                [
                    row.name,
                    row.inchikey,
                    row.findings,
                    *[_status_word(row.cells[c].controlled) for c in table.jurisdictions],
                    *[" ".join(row.cells[c].lists) for c in table.jurisdictions],
                    *[row.cells[c].since for c in table.jurisdictions],
                ]
            )
        )
    return buffer.getvalue()


def gaps_csv(found: list[Gap]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(
        [
            "substance",
            "inchikey",
            "controlled_in",
            "not_controlled_in",
            "undecided_in",
            "findings_where_not_controlled",
            "findings",
        ]
    )
    for gap in found:
        writer.writerow(text_row(_gap_cells(gap, " ")))
    return buffer.getvalue()


def _gap_cells(gap: Gap, separator: str) -> list:
    """One gap's cells, the same in the CSV and the workbook (jurisdiction codes joined by ``separator``)."""
    return [
        gap.row.name,
        gap.row.inchikey,
        separator.join(gap.controlled_in),
        separator.join(gap.not_controlled_in),
        separator.join(gap.undecided_in),
        gap.findings_where_not_controlled,
        gap.row.findings,
    ]


def _append_text(sheet, values) -> None:
    """Append a row whose text cells stay text (openpyxl would store "=…" as a formula)."""
    sheet.append(xlsx_row(values))
    for cell in sheet[sheet.max_row]:
        if isinstance(cell.value, str):
            cell.data_type = "s"


def workbook(table: Matrix, found: list[Gap]) -> bytes:
    """The matrix and the gap report as an XLSX workbook (two sheets)."""
    from openpyxl import Workbook
    from openpyxl.styles import Font, PatternFill

    fills = {
        "controlled": PatternFill("solid", fgColor="F4CCCC"),
        "not controlled": PatternFill("solid", fgColor="D9EAD3"),
        "cannot decide": PatternFill("solid", fgColor="FFF2CC"),
    }
    book = Workbook()
    sheet = book.active
    sheet.title = "matrix"
    sheet.append([f"FDX harmonisation matrix on {table.day.isoformat()}"])
    sheet.append(["substance", "InChIKey", "findings", *table.jurisdictions])
    for cell in sheet[2]:
        cell.font = Font(bold=True)
    for row in table.rows:
        values = [
            _status_word(row.cells[c].controlled)
            + (f" ({', '.join(row.cells[c].lists)}; {row.cells[c].since})" if row.cells[c].lists else "")
            for c in table.jurisdictions
        ]
        _append_text(sheet, [row.name, row.inchikey, row.findings, *values])
        for offset, code in enumerate(table.jurisdictions):
            sheet.cell(sheet.max_row, 4 + offset).fill = fills[_status_word(row.cells[code].controlled)]
    gaps_sheet = book.create_sheet("gaps")
    gaps_sheet.append(
        [
            "substance",
            "InChIKey",
            "controlled in",
            "not controlled in",
            "cannot decide in",
            "findings where not controlled",
            "findings",
        ]
    )
    for cell in gaps_sheet[1]:
        cell.font = Font(bold=True)
    for gap in found:
        _append_text(gaps_sheet, _gap_cells(gap, ", "))
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _status_word(controlled: bool | None) -> str:
    return {True: "controlled", False: "not controlled", None: "cannot decide"}[controlled]
