"""The audit log reads as sentences in the reader's language, with the codes and data one click away."""

import pytest
from django.utils import translation

from fdx.audit import events
from fdx.audit.actions import record
from fdx.audit.sentences import changes, sentence
from fdx.audit.visibility import ShownEvent, shown_one
from fdx.core.actors import system

pytestmark = pytest.mark.django_db


def test_every_template_fills_in_its_placeholders_in_every_language():
    shown = ShownEvent(
        type(
            "E",
            (),
            {
                "action": "",
                "actor_username": "a",
                "organisation_code": "o",
                "object_id": "i",
                "object_repr": "r",
            },
        )(),
        withheld=False,
    )
    for language in ("en", "ru"):
        with translation.override(language):
            for event_type in events.all_event_types():
                shown.event.action = event_type.code
                text = sentence(shown)
                assert "%(" not in text and text.strip(), (language, event_type.code)


def test_who_signed_in_reads_as_a_sentence_in_english_and_russian(persona):
    chemist = persona("kz_lab_chemist")
    event = record("accounts.signin.succeeded", actor=chemist, obj=chemist)

    shown = shown_one(persona("hub_admin"), event)

    assert shown.sentence == "kz_lab_chemist signed in"
    with translation.override("ru"):
        assert shown.sentence == "kz_lab_chemist: вход в систему"


def test_what_changed_from_what_to_what(persona):
    chemist = persona("kz_lab_chemist")
    event = record(
        "accounts.user.changed",
        actor=persona("kz_lab_admin"),
        obj=chemist,
        before={"email": "a@x"},
        after={"email": "b@x"},
        reason="typo",
    )

    shown = shown_one(persona("hub_admin"), event)

    assert shown.sentence == "kz_lab_admin changed the details of user KZ (kz_lab_chemist)"
    assert [(c.field, c.before, c.after) for c in changes(shown)] == [("email", "a@x", "b@x")]


def test_a_withheld_record_is_named_by_its_global_id_only():
    event = record(
        "examinations.case.changed",
        actor=system("cli:root"),
        object_type="examinations.case",
        object_id="3f0b6a8e-2a5c-4f0e-9a53-0d1c8c3f6a11",
        object_repr="KZ-1/2026 Almaty",
        before={"locality": "Almaty"},
        after={"locality": "Astana"},
    )

    shown = ShownEvent(event, withheld=True)

    assert shown.sentence == "cli:root changed case 3f0b6a8e-2a5c-4f0e-9a53-0d1c8c3f6a11"
    assert changes(shown) == [] and shown.before is None and shown.reason == "withheld: not visible to you"


def test_the_page_shows_the_sentence_with_the_code_and_data_in_a_details_element(client, persona):
    chemist = persona("kz_lab_chemist")
    record(
        "accounts.user.changed", actor=chemist, obj=chemist, before={"email": "a@x"}, after={"email": "b@x"}
    )
    client.force_login(persona("hub_admin"))

    page = client.get("/audit/", {"action": "accounts.user.changed"}).content.decode()

    assert "<summary>kz_lab_chemist changed the details of user KZ (kz_lab_chemist)</summary>" in page
    assert "<code>accounts.user.changed</code>" in page and "a@x → b@x" in page


def test_the_api_gives_the_sentence_in_the_requests_language(api, persona):
    chemist = persona("kz_lab_chemist")
    event = record("accounts.signin.succeeded", actor=chemist, obj=chemist)

    body = api.get(f"/audit/events/{event.sequence}", user=persona("hub_admin")).json()

    assert body["sentence"] == "kz_lab_chemist signed in" and body["withheld"] is False


def test_every_event_type_has_its_own_sentence():
    missing = [event.code for event in events.all_event_types() if event.template is None]

    assert missing == [], "give these event types a template= (a sentence with %(actor)s, %(object)s)"
