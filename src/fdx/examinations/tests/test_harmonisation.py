"""Harmonisation weighed against the findings: counts by finding, the gap report, what if, and the pages."""

import datetime

import pytest

from fdx.examinations import harmonisation
from fdx.examinations.tests.builders import approved_case
from fdx.legal import harmonisation as legal_harmonisation
from fdx.legal.harmonisation import Proposal

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

    by_structure = harmonisation.what_if(viewer, Proposal("KZ", structure="CNC(C)Cc1ccccc1"))
    by_class = harmonisation.what_if(viewer, Proposal("KZ", smarts="c1ccccc1CC(C)N"))
    later = harmonisation.what_if(
        viewer,
        Proposal("KZ", structure="CNC(C)Cc1ccccc1", effective_from=datetime.date(2026, 1, 1)),
    )
    elsewhere = harmonisation.what_if(viewer, Proposal("KG", structure="CNC(C)Cc1ccccc1"))
    adopted = harmonisation.what_if(viewer, Proposal("KZ", generic_code="gb-cathinones-2010"))

    assert len(by_structure.covered) == 1 and by_structure.newly_covered == 0  # already controlled then
    assert by_structure.covered[0].already_controlled is True
    assert len(by_class.covered) == 1
    assert later.covered == [] and elsewhere.covered == [] and adopted.covered == []


def test_a_bad_proposal_names_its_field(persona):
    with pytest.raises(legal_harmonisation.ProposalError) as error:
        harmonisation.what_if(persona("kz_lab_head"), Proposal("KZ", smarts="[C"))

    assert error.value.field == "smarts"


def test_exports(persona):
    approved_case(persona)
    table, gaps = harmonisation.gaps(persona("kz_lab_head"), ("UN", "RU"))

    matrix_csv = legal_harmonisation.matrix_csv(table).splitlines()
    workbook = legal_harmonisation.workbook(table, gaps)

    assert matrix_csv[0].startswith("substance,inchikey,findings,UN status,RU status")
    assert len(matrix_csv) == len(table.rows) + 1
    from io import BytesIO

    from openpyxl import load_workbook

    book = load_workbook(BytesIO(workbook))
    assert book.sheetnames == ["matrix", "gaps"] and book["gaps"].max_row == len(gaps) + 1


def _planted_listing(persona, name, smiles="CCCCCCCCCCCCCCCN"):
    from fdx.legal import actions

    actions.add_listing(
        persona("kz_node_admin"),
        actions.listing_row(
            list_code="KZ-LIST-I",
            name_en=name,
            smiles=smiles,
            effective_from=datetime.date(2020, 1, 1),
        ),
    )


def test_exports_keep_a_planted_formula_as_text_and_survive_control_characters(persona):
    import io

    from openpyxl import load_workbook

    _planted_listing(persona, '=HYPERLINK("http://evil","x")')
    _planted_listing(persona, "Probe\x0bname", smiles="CCCCCCCCCCCCCCCCN")
    table, found = harmonisation.gaps(persona("kz_lab_head"), ("UN", "KZ"), datetime.date(2025, 6, 1))

    book = load_workbook(io.BytesIO(legal_harmonisation.workbook(table, found)))
    text = legal_harmonisation.matrix_csv(table) + legal_harmonisation.gaps_csv(found)

    cells = [cell for sheet in book for row in sheet.iter_rows() for cell in row]
    assert not [cell for cell in cells if cell.data_type == "f"]
    assert '=HYPERLINK("http://evil","x")' in [cell.value for cell in cells]  # as text, no apostrophe
    assert "\"'=HYPERLINK" in text and "\n=HYPERLINK" not in text and "\nProbename," in text


def test_the_harmonisation_page_refuses_a_selection_it_cannot_read_and_lists_a_jurisdiction_once(
    client, persona
):
    client.force_login(persona("kz_lab_head"))

    refused = client.get("/legal/harmonisation/", {"jurisdictions": "XX", "export": "gaps.csv"})
    twice = client.get("/legal/harmonisation/", {"jurisdictions": ["KZ", "KZ", "UN"]})

    assert refused.status_code == 400 and refused["Content-Type"].startswith("text/html")
    assert twice.context["table"].jurisdictions == ["KZ", "UN"]


def test_what_if_counts_every_covered_finding_when_it_lists_only_some(persona, monkeypatch):
    approved_case(persona)
    approved_case(persona, reference="KZ-2025-0002")
    monkeypatch.setattr(harmonisation, "MAX_WHAT_IF_FINDINGS", 1)
    proposal = Proposal(jurisdiction="KZ", structure="CNC(C)Cc1ccccc1")

    result = harmonisation.what_if(persona("kz_lab_head"), proposal)

    assert len(result.covered) == 1 and result.covered_count == 2 and result.truncated


def test_harmonisation_page_and_exports(client, persona):
    client.force_login(persona("rc_analyst"))

    page = client.get("/legal/harmonisation/", {"jurisdictions": ["UN", "KZ", "RU"]})
    csv_gaps = client.get("/legal/harmonisation/", {"jurisdictions": ["UN", "RU"], "export": "gaps.csv"})
    xlsx = client.get("/legal/harmonisation/", {"jurisdictions": ["UN", "RU"], "export": "xlsx"})

    assert page.status_code == 200 and b'id="matrix"' in page.content
    assert csv_gaps.content.decode().startswith("substance,inchikey,controlled_in")
    assert xlsx.content[:2] == b"PK"


def test_what_if_page(client, persona):
    client.force_login(persona("rc_analyst"))

    page = client.get("/legal/what-if/", {"jurisdiction": "KZ", "generic_code": "gb-cathinones-2010"})
    both = client.get(
        "/legal/what-if/", {"jurisdiction": "KZ", "generic_code": "gb-cathinones-2010", "smarts": "[#6]"}
    )

    assert page.status_code == 200 and b"findings covered" in page.content
    assert b"Give exactly one of" in both.content
