"""Harmonisation from the legal side alone: the matrix and gap report weigh counts given by the caller (the
legal app reads no case data), and a proposal becomes an engine of its own."""

import datetime

import pytest

from fdx.legal import harmonisation, selectors
from fdx.legal.harmonisation import Proposal, ProposalError
from fdx.legal.models import Jurisdiction

pytestmark = pytest.mark.django_db

DAY = datetime.date(2025, 6, 1)


def _meth_key() -> str:
    return selectors.query_for_text("CN[C@@H](C)Cc1ccccc1").inchikey


def test_the_matrix_counts_what_the_caller_found_and_nothing_else():
    found = {(_meth_key(), "KZ"): 3, (_meth_key(), "KG"): 2}

    table = harmonisation.matrix(found, ("UN", "KZ"), DAY)
    empty = harmonisation.matrix({}, ("UN", "KZ"), DAY)

    first = table.rows[0]
    assert first.inchikey == _meth_key() and first.findings == 5
    assert first.findings_by_country == {"KZ": 3, "KG": 2}
    assert first.cells["UN"].controlled is True and first.cells["KZ"].lists == ["KZ-LIST-II"]
    assert sum(row.findings for row in empty.rows) == 0 and len(empty.rows) >= 340


def test_gaps_are_ordered_by_what_was_found_where_not_controlled():
    found = {(_meth_key(), "RU"): 4}

    _table, gaps = harmonisation.gaps(found, ("UN", "RU"), DAY)

    top = gaps[0]
    assert top.row.inchikey == _meth_key()
    assert top.controlled_in == ["UN"] and top.undecided_in == ["RU"]
    assert top.findings_where_not_controlled == 4


def test_a_proposal_is_an_engine_of_its_own():
    structure = Proposal("KZ", structure="CNC(C)Cc1ccccc1", effective_from=datetime.date(2026, 1, 1))
    proposed = harmonisation.proposal_engine(structure)
    meth = selectors.query_for_text("CNC(C)Cc1ccccc1")
    caffeine = selectors.query_for_text("Cn1cnc2c1c(=O)n(C)c(=O)n2C")

    assert harmonisation.proposal_covers(proposed, structure, meth) is True
    assert harmonisation.proposal_covers(proposed, structure, caffeine) is False
    assert proposed.assess(meth, "KZ", datetime.date(2025, 12, 31)).controlled is not True


def test_a_bad_proposal_names_its_field_and_an_unknown_jurisdiction_is_refused():
    with pytest.raises(ProposalError) as bad_smarts:
        harmonisation.proposal_engine(Proposal("KZ", smarts="[C"))
    with pytest.raises(ProposalError) as nothing:
        harmonisation.proposal_engine(Proposal("KZ"))
    with pytest.raises(Jurisdiction.DoesNotExist):
        harmonisation.proposal_engine(Proposal("XX", structure="CCO"))

    assert bad_smarts.value.field == "smarts"
    assert nothing.value.field == "structure"
