import datetime

import pytest

from fdx.examinations.tests.builders import approved_case
from fdx.legal import harmonisation

pytestmark = pytest.mark.django_db


def test_the_matrix_has_every_listed_substance_and_the_ones_found(persona):
    approved_case(persona)

    table = harmonisation.matrix(persona("kz_lab_head"), ("UN", "KZ"), datetime.date(2025, 6, 1))

    first = table.rows[0]
    assert first.name.lower().startswith("methamphetamine") and first.findings == 1
    assert first.cells["UN"].controlled is True and first.cells["UN"].lists == ["UN-1971-II"]
    assert first.cells["KZ"].lists == ["KZ-LIST-II"] and first.cells["KZ"].since
    assert len(table.rows) >= 340  # distinct structures of every list


def test_gaps_are_ordered_by_findings_where_not_controlled(persona):
    approved_case(persona)  # methamphetamine seized in Kazakhstan

    _table, gaps = harmonisation.gaps(persona("kz_lab_head"), ("UN", "RU"), datetime.date(2025, 6, 1))

    top = gaps[0]
    assert top.row.name.lower().startswith("methamphetamine")
    assert top.controlled_in == ["UN"] and top.undecided_in == ["RU"]
    assert top.findings_where_not_controlled == 0  # found in KZ, not in Russia
    assert all(g.controlled_in for g in gaps)


def test_finding_counts_respect_what_the_reader_may_see(persona):
    approved_case(persona)  # distribution "organisation": the Kyrgyz court does not see it

    mine = harmonisation.matrix(persona("kz_lab_head"), ("UN",))
    theirs = harmonisation.matrix(persona("kg_court_viewer"), ("UN",))

    assert sum(r.findings for r in mine.rows) == 1
    assert sum(r.findings for r in theirs.rows) == 0


def test_what_if_counts_the_findings_a_proposal_would_have_covered(persona):
    approved_case(persona)
    viewer = persona("kz_lab_head")

    by_structure = harmonisation.what_if(viewer, harmonisation.Proposal("KZ", structure="CNC(C)Cc1ccccc1"))
    by_class = harmonisation.what_if(viewer, harmonisation.Proposal("KZ", smarts="c1ccccc1CC(C)N"))
    later = harmonisation.what_if(
        viewer,
        harmonisation.Proposal("KZ", structure="CNC(C)Cc1ccccc1", effective_from=datetime.date(2026, 1, 1)),
    )
    elsewhere = harmonisation.what_if(viewer, harmonisation.Proposal("KG", structure="CNC(C)Cc1ccccc1"))
    adopted = harmonisation.what_if(viewer, harmonisation.Proposal("KZ", generic_code="gb-cathinones-2010"))

    assert len(by_structure.covered) == 1 and by_structure.newly_covered == 0  # already controlled then
    assert by_structure.covered[0].already_controlled is True
    assert len(by_class.covered) == 1
    assert later.covered == [] and elsewhere.covered == [] and adopted.covered == []


def test_a_bad_proposal_names_its_field(persona):
    with pytest.raises(harmonisation.ProposalError) as error:
        harmonisation.what_if(persona("kz_lab_head"), harmonisation.Proposal("KZ", smarts="[C"))

    assert error.value.field == "smarts"


def test_exports(persona):
    approved_case(persona)
    table, gaps = harmonisation.gaps(persona("kz_lab_head"), ("UN", "RU"))

    matrix_csv = harmonisation.matrix_csv(table).splitlines()
    workbook = harmonisation.workbook(table, gaps)

    assert matrix_csv[0].startswith("substance,inchikey,findings,UN status,RU status")
    assert len(matrix_csv) == len(table.rows) + 1
    from io import BytesIO

    from openpyxl import load_workbook

    book = load_workbook(BytesIO(workbook))
    assert book.sheetnames == ["matrix", "gaps"] and book["gaps"].max_row == len(gaps) + 1
