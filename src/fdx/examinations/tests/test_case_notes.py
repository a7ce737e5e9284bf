"""Notes on cases: an organisation's working notes, on this node only. Who may write one (a table of readers
of a nationally shared case), who sees it (its organisation's readers of the case, nobody else), a received
copy that takes notes while its own fields stay read-only, and the pages, the API and the audit log."""

import uuid

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from fdx.audit.models import AuditEvent
from fdx.audit.visibility import shown_to
from fdx.examinations import actions, case_notes
from fdx.examinations.choices import CASE_NOTE_MAX_LENGTH
from fdx.examinations.models import Case, CaseNote
from fdx.examinations.tests.builders import approved_case

pytestmark = pytest.mark.django_db
ELSEWHERE = uuid.UUID("7c1b6a8e-5e1f-4c57-9d0e-000000000002")


@pytest.fixture
def case(persona):
    """The Kazakh laboratory's approved case, shared nationally: the Kazakh police sees it, Uzbekistan not."""
    shared, _exhibit, _examination = approved_case(persona, distribution_level="national")
    return shared


def received(case):
    """Make ``case`` look as another node's copy (as the exchange writes one)."""
    Case.with_tombstones().filter(pk=case.pk).update(origin_node=ELSEWHERE, record_version=7)
    case.refresh_from_db()
    return case


def note_ids(user, case):
    return {note.text for note in case_notes.case_notes(user, case)}


# Who may write a note, and who sees it

#: reader → may they write a note on the case (True), or refused (False)?
MAY_ADD = {
    "kz_lab_chemist": True,  # data entry of the owning laboratory
    "kz_lab_head": True,  # reviewer (head of laboratory)
    "kz_police_analyst": True,  # analyst of another organisation that sees the case
    "kz_lab_viewer": False,  # reads the case, writes nothing
    "uz_police_analyst": False,  # analyst who does not see the case
    "kz_lab_admin": False,  # organisation administrator: no case data
    "hub_admin": False,  # node administrator: no case data
}


@pytest.mark.parametrize(("name", "allowed"), MAY_ADD.items())
def test_who_may_write_a_note(persona, case, name, allowed):
    user = persona(name)

    if allowed:
        note = case_notes.add_case_note(user, case, f"  seen by {name}  ")
        assert (note.text, note.author, note.organisation) == (f"seen by {name}", user, user.organisation)
    else:
        with pytest.raises(PermissionDenied):
            case_notes.add_case_note(user, case, f"seen by {name}")
        assert not CaseNote.objects.exists()
        assert not AuditEvent.objects.filter(action="examinations.case.note_added").exists()


def test_a_note_is_seen_by_its_organisations_readers_of_the_case_only(persona, case):
    case_notes.add_case_note(persona("kz_lab_chemist"), case, "matches our case KZ-2025-114")
    case_notes.add_case_note(persona("kz_police_analyst"), case, "same vendor as operation Steppe")

    assert note_ids(persona("kz_lab_chemist"), case) == {"matches our case KZ-2025-114"}
    assert note_ids(persona("kz_lab_head"), case) == {"matches our case KZ-2025-114"}
    assert note_ids(persona("kz_lab_viewer"), case) == {"matches our case KZ-2025-114"}  # reads, writes not
    assert note_ids(persona("kz_police_analyst"), case) == {"same vendor as operation Steppe"}
    for outsider in ("uz_police_analyst", "kz_lab_admin", "hub_admin"):
        assert note_ids(persona(outsider), case) == set(), outsider


def test_a_note_is_hidden_once_its_case_is_no_longer_shared_with_its_organisation(persona, case):
    analyst = persona("kz_police_analyst")
    case_notes.add_case_note(analyst, case, "our lead")

    actions.update_case(persona("kz_lab_chemist"), case, distribution_level="organisation", reason="closed")

    assert note_ids(analyst, case) == set()
    with pytest.raises(PermissionDenied):
        case_notes.add_case_note(analyst, case, "another")


def test_a_note_changes_nothing_of_the_case(persona, case):
    before = Case.objects.values("record_version", "updated_at").get(pk=case.pk)

    case_notes.add_case_note(persona("kz_police_analyst"), case, "a note")

    assert Case.objects.values("record_version", "updated_at").get(pk=case.pk) == before


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "This field cannot be blank."),
        ("   \n ", "This field cannot be blank."),
        ("x" * (CASE_NOTE_MAX_LENGTH + 1), "at most 4000 characters"),
        ("a\x00b", "Null characters are not allowed."),
    ],
)
def test_a_bad_note_is_refused_naming_its_field(persona, case, text, message):
    with pytest.raises(ValidationError) as refused:
        case_notes.add_case_note(persona("kz_lab_chemist"), case, text)

    assert message in " ".join(refused.value.message_dict["text"])
    assert not CaseNote.objects.exists()


def test_a_note_of_the_longest_length_is_kept(persona, case):
    note = case_notes.add_case_note(persona("kz_lab_chemist"), case, "x" * CASE_NOTE_MAX_LENGTH)

    assert len(CaseNote.objects.get(pk=note.pk).text) == CASE_NOTE_MAX_LENGTH


# Deleting


def test_the_author_deletes_their_note_and_the_audit_chain_keeps_it(persona, case):
    chemist = persona("kz_lab_chemist")
    note = case_notes.add_case_note(chemist, case, "wrong case, see KZ-2025-0002")

    case_notes.delete_case_note(chemist, note)

    assert not CaseNote.objects.exists()
    added, deleted = AuditEvent.objects.filter(object_id=str(note.global_id)).order_by("sequence")
    assert (added.action, added.object_type) == ("examinations.case.note_added", "examinations.casenote")
    assert added.after == {"case": str(case.global_id), "text": "wrong case, see KZ-2025-0002"}
    assert deleted.action == "examinations.case.note_deleted"
    assert deleted.before == {"case": str(case.global_id), "text": "wrong case, see KZ-2025-0002"}


@pytest.mark.parametrize("name", ["kz_lab_head", "kz_lab_viewer", "kz_police_analyst", "uz_police_analyst"])
def test_nobody_else_deletes_a_note(persona, case, name):
    note = case_notes.add_case_note(persona("kz_lab_chemist"), case, "mine")

    with pytest.raises(PermissionDenied):
        case_notes.delete_case_note(persona(name), note)

    assert CaseNote.objects.filter(pk=note.pk).exists()
    assert not AuditEvent.objects.filter(action="examinations.case.note_deleted").exists()


# The audit log: a note's text only to its readers


def test_the_audit_log_shows_a_notes_text_to_its_organisations_readers_only(persona, case):
    chemist = persona("kz_lab_chemist")
    kept = case_notes.add_case_note(chemist, case, "kept note")
    gone = case_notes.add_case_note(chemist, case, "deleted note")
    case_notes.delete_case_note(chemist, gone)
    events = list(AuditEvent.objects.filter(object_type="examinations.casenote").order_by("sequence"))
    assert len(events) == 3

    for name, withheld in [("kz_lab_head", False), ("kz_police_analyst", True), ("uz_police_analyst", True)]:
        shown = shown_to(persona(name), events)
        assert [event.withheld for event in shown] == [withheld] * 3, name
        if withheld:
            assert all(event.after is None and event.before is None for event in shown)
    assert str(kept.global_id) in {event.object_id for event in events}


# A received copy takes notes; its own fields stay read-only


def test_a_received_case_takes_notes_but_stays_read_only(persona, case):
    copy = received(case)
    analyst = persona("kz_police_analyst")

    note = case_notes.add_case_note(analyst, copy, "seen in our seizure of 2 March")

    assert note_ids(analyst, copy) == {"seen in our seizure of 2 March"}
    with pytest.raises(PermissionDenied):
        actions.update_case(persona("kz_lab_chemist"), copy, locality="changed", reason="x")
    copy.refresh_from_db()
    assert (copy.record_version, copy.locality) == (7, "Almaty")
    case_notes.delete_case_note(analyst, note)  # its own note, the author deletes
    assert not CaseNote.objects.exists()


def test_a_received_case_deleted_here_takes_its_notes_with_it(persona, case):
    copy = received(case)
    case_notes.add_case_note(persona("kz_police_analyst"), copy, "note")

    Case.with_tombstones().filter(pk=copy.pk).delete()  # as the exchange removes a withdrawn copy

    assert not CaseNote.objects.exists()


# The pages


def test_the_case_page_lists_the_notes_and_takes_one(client, persona, case):
    chemist = persona("kz_lab_chemist")
    case_notes.add_case_note(persona("kz_police_analyst"), case, "police note")
    client.force_login(chemist)

    response = client.post(f"/cases/{case.global_id}/notes/", {"text": "matches KZ-2025-114"})

    assert response.status_code == 302
    assert response["Location"] == f"/cases/{case.global_id}/#notes"
    page = client.get(f"/cases/{case.global_id}/").content.decode()
    assert "Notes (this node only)" in page
    assert "never leave this node" in page
    assert "matches KZ-2025-114" in page
    assert "police note" not in page
    note = CaseNote.objects.get(author=chemist)
    assert f"/cases/notes/{note.global_id}/delete/" in page


@pytest.mark.parametrize(
    ("text", "language", "message"),
    [
        ("", "en", "This field is required."),
        ("   ", "ru", "Обязательное поле."),
        ("x" * (CASE_NOTE_MAX_LENGTH + 1), "en", "has at most 4000 characters"),
    ],
)
def test_a_bad_note_comes_back_on_the_form(client, persona, case, text, language, message):
    client.force_login(persona("kz_lab_chemist"))

    response = client.post(f"/cases/{case.global_id}/notes/", {"text": text}, HTTP_ACCEPT_LANGUAGE=language)

    assert response.status_code == 400
    assert message in response.content.decode()
    assert not CaseNote.objects.exists()


def test_a_viewer_sees_the_notes_but_gets_no_form(client, persona, case):
    case_notes.add_case_note(persona("kz_lab_chemist"), case, "lab note")
    client.force_login(persona("kz_lab_viewer"))

    page = client.get(f"/cases/{case.global_id}/").content.decode()
    refused = client.post(f"/cases/{case.global_id}/notes/", {"text": "x"})

    assert "lab note" in page
    assert f"/cases/{case.global_id}/notes/" not in page
    assert "/delete/" not in page
    assert refused.status_code == 403
    assert CaseNote.objects.count() == 1


def test_a_received_case_page_takes_notes(client, persona, case):
    copy = received(case)
    client.force_login(persona("kz_police_analyst"))

    response = client.post(f"/cases/{copy.global_id}/notes/", {"text": "copy note"}, follow=True)

    page = response.content.decode()
    assert "copy note" in page
    assert "received from another node" in page
    assert "Change the case" not in page


def test_deleting_a_note_from_the_page(client, persona, case):
    chemist, head = persona("kz_lab_chemist"), persona("kz_lab_head")
    note = case_notes.add_case_note(chemist, case, "mine")
    police_note = case_notes.add_case_note(persona("kz_police_analyst"), case, "theirs")

    client.force_login(head)
    assert client.post(f"/cases/notes/{note.global_id}/delete/").status_code == 403  # a colleague's
    assert client.post(f"/cases/notes/{police_note.global_id}/delete/").status_code == 404  # not shown
    client.force_login(chemist)
    response = client.post(f"/cases/notes/{note.global_id}/delete/")

    assert response.status_code == 302 and response["Location"] == f"/cases/{case.global_id}/#notes"
    assert list(CaseNote.objects.values_list("text", flat=True)) == ["theirs"]


def test_the_note_pages_refuse_a_get(client, persona, case):
    client.force_login(persona("kz_lab_chemist"))

    assert client.get(f"/cases/{case.global_id}/notes/").status_code == 405


# The API


def test_api_add_list_and_delete(api, persona, case):
    chemist = persona("kz_lab_chemist")

    created = api.post(f"/cases/{case.global_id}/notes", {"text": "matches KZ-2025-114"}, user=chemist)

    assert created.status_code == 201, created.content
    body = created.json()
    assert body["text"] == "matches KZ-2025-114"
    assert (body["case"], body["author"], body["organisation"]) == (
        str(case.global_id),
        "kz_lab_chemist",
        chemist.organisation.code,
    )
    listed = api.get(f"/cases/{case.global_id}/notes", user=persona("kz_lab_head")).json()
    assert [item["id"] for item in listed["items"]] == [body["id"]]
    assert api.get(f"/cases/{case.global_id}/notes", user=persona("kz_police_analyst")).json()["items"] == []
    deleted = api.delete(f"/cases/{case.global_id}/notes/{body['id']}", user=chemist)
    assert deleted.status_code == 204
    assert not CaseNote.objects.exists()


def test_api_pages_the_notes_by_cursor_newest_first(api, persona, case):
    chemist = persona("kz_lab_chemist")
    for n in range(5):
        case_notes.add_case_note(chemist, case, f"note {n}")

    texts, page = [], api.get(f"/cases/{case.global_id}/notes", user=chemist, limit=2).json()
    assert page["count"] == 5
    texts += [item["text"] for item in page["items"]]
    while page["next"]:
        page = api.get(f"/cases/{case.global_id}/notes", user=chemist, limit=2, cursor=page["next"]).json()
        texts += [item["text"] for item in page["items"]]

    assert texts == [f"note {n}" for n in reversed(range(5))]


def test_api_a_case_you_do_not_see_is_not_found(api, persona, case):
    outsider = persona("uz_police_analyst")
    note = case_notes.add_case_note(persona("kz_lab_chemist"), case, "lab note")

    assert api.get(f"/cases/{case.global_id}/notes", user=outsider).status_code == 404
    assert api.post(f"/cases/{case.global_id}/notes", {"text": "x"}, user=outsider).status_code == 404
    assert api.delete(f"/cases/{case.global_id}/notes/{note.global_id}", user=outsider).status_code == 404
    assert api.get(f"/cases/{uuid.uuid4()}/notes", user=persona("kz_lab_chemist")).status_code == 404
    assert CaseNote.objects.count() == 1


def test_api_deleting_anothers_note_is_refused(api, persona, case):
    note = case_notes.add_case_note(persona("kz_lab_chemist"), case, "lab note")
    police_note = case_notes.add_case_note(persona("kz_police_analyst"), case, "police note")
    head = persona("kz_lab_head")

    colleague = api.delete(f"/cases/{case.global_id}/notes/{note.global_id}", user=head)
    other_organisation = api.delete(f"/cases/{case.global_id}/notes/{police_note.global_id}", user=head)

    assert colleague.status_code == 403 and colleague.json()["error"]["code"] == "forbidden"
    assert other_organisation.status_code == 404
    assert CaseNote.objects.count() == 2


def test_api_a_note_of_another_case_is_not_found(api, persona, case):
    chemist = persona("kz_lab_chemist")
    other, _exhibit, _examination = approved_case(persona, reference="KZ-2025-0099")
    note = case_notes.add_case_note(chemist, other, "on the other case")

    assert api.delete(f"/cases/{case.global_id}/notes/{note.global_id}", user=chemist).status_code == 404
    assert CaseNote.objects.count() == 1


@pytest.mark.parametrize("text", ["", "   ", "x" * (CASE_NOTE_MAX_LENGTH + 1), "a\x00b"])
def test_api_a_bad_note_is_a_422(api, persona, case, text):
    response = api.post(f"/cases/{case.global_id}/notes", {"text": text}, user=persona("kz_lab_chemist"))

    assert response.status_code == 422, response.content
    assert "text" in str(response.json()["error"]["fields"])
    assert not CaseNote.objects.exists()


def test_api_a_viewer_may_not_write_a_note(api, persona, case):
    response = api.post(f"/cases/{case.global_id}/notes", {"text": "x"}, user=persona("kz_lab_viewer"))

    assert response.status_code == 403
    assert not CaseNote.objects.exists()


def test_the_case_detail_carries_no_notes(api, persona, case):
    case_notes.add_case_note(persona("kz_lab_chemist"), case, "lab note")

    detail = api.get(f"/cases/{case.global_id}", user=persona("kz_lab_chemist")).json()

    assert "lab note" not in str(detail)
