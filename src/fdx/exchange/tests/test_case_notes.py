"""Notes on cases never leave the node: no table of what travels names them, a case's dossier carries none,
and a received copy takes its organisation's notes (the one thing a reader adds to it) until its owner
withdraws it, when they go with it."""

import pytest

from fdx.examinations import case_notes
from fdx.examinations.models import Case, CaseNote
from fdx.examinations.tests.builders import approved_case
from fdx.exchange import dossier, pseudonymise
from fdx.exchange.tests.test_inbox import Dossier, receive

pytestmark = pytest.mark.django_db


def test_no_table_of_what_travels_names_a_note():
    assert "examinations.casenote" not in dossier.MODEL_BY_LABEL
    assert CaseNote not in dossier.MODELS
    assert "examinations.casenote" not in pseudonymise.TABLE
    assert "notes" not in pseudonymise.TABLE["examinations.case"]


def test_a_cases_dossier_carries_no_note(persona):
    case, _exhibit, _examination = approved_case(persona, distribution_level="regional")
    case_notes.add_case_note(persona("kz_lab_chemist"), case, "matches our case KZ-2025-114")
    case_notes.add_case_note(persona("kz_police_analyst"), case, "police lead")
    case.refresh_from_db()  # its shared flag, set by the approval

    records = list(dossier.shared_records(case))
    values = [dossier.values(record) for record in records]

    assert [type(record).__name__ for record in records] == ["Case", "Exhibit", "Examination", "Finding"]
    assert "notes" not in values[0]
    assert "KZ-2025-114" not in str(values) and "police lead" not in str(values)


def test_a_received_copy_takes_notes_and_loses_them_when_withdrawn(persona, uz_peer):
    sent = Dossier()
    for data in sent.all():
        receive(data, uz_peer)
    copy = Case.objects.get(global_id=sent.ids["case"])
    analyst = persona("kz_police_analyst")

    case_notes.add_case_note(analyst, copy, "same logo as our March seizure")
    assert [note.text for note in case_notes.case_notes(analyst, copy)] == ["same logo as our March seizure"]

    assert receive(sent.message("case", state="withdrawn", version=2), uz_peer).outcome == "applied"
    assert not Case.with_tombstones().filter(global_id=sent.ids["case"]).exists()
    assert not CaseNote.objects.exists()
