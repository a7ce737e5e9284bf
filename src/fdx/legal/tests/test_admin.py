"""The legal framework's administration pages: every write is an action of ``legal.actions`` (audited once,
the legal data version moved on); a node's own edit is marked so that a reload leaves it; what may not be
changed or deleted is refused with nothing changed."""

import datetime
import uuid

import pytest
from django.contrib.admin.sites import site
from django.contrib.auth.models import AnonymousUser, Permission
from django.contrib.messages.storage.cookie import CookieStorage
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import RequestFactory

from fdx.audit.models import AuditEvent
from fdx.legal import actions
from fdx.legal import admin as legal_admin
from fdx.legal.models import (
    ControlList,
    GenericDefinition,
    GenericExample,
    Instrument,
    LegalDataVersion,
    QuantityThreshold,
)

pytestmark = pytest.mark.django_db


def _save(admin_user, obj, **changes):
    model_admin = site._registry[type(obj)]
    request = RequestFactory().post("/")
    request.user = admin_user
    form_class = model_admin.get_form(request, obj)
    data = {**form_class(instance=obj).initial, **changes}
    form = form_class(instance=obj, data={k: v for k, v in data.items() if v is not None})
    assert form.is_valid(), form.errors
    model_admin.save_model(request, form.save(commit=False), form, change=True)
    return type(obj).objects.get(pk=obj.pk)


def test_an_edit_in_the_admin_marks_the_fact_as_maintained_here_and_clearing_the_mark_hands_it_back(persona):
    admin = persona("hub_admin")
    version = LegalDataVersion.objects.get().number

    edited = _save(admin, ControlList.objects.get(code="UN-1988-II"), covers_stereoisomers=True)
    assert edited.covers_stereoisomers is True and edited.maintained_locally is True

    handed_back = _save(admin, edited, maintained_locally=False)

    assert handed_back.maintained_locally is False and handed_back.covers_stereoisomers is True
    assert LegalDataVersion.objects.get().number == version + 2


def test_a_shipped_fact_is_not_deleted_and_another_jurisdiction_is_not_offered(client, persona):
    admin = persona("kz_node_admin")
    client.force_login(admin)
    shipped = QuantityThreshold.objects.get(jurisdiction="KZ", entry_name="mephedrone")
    request = RequestFactory().get("/")
    request.user = admin
    model_admin = site._registry[QuantityThreshold]

    refused = client.post(
        "/admin/legal/quantitythreshold/add/",
        {
            "jurisdiction": "UZ",
            "entry_name": "probe",
            "comparison": "above",
            "basis": "unknown",
            "effective_from": "2025-01-01",
            "includes_derivatives": "on",
        },
    )

    assert model_admin.has_delete_permission(request, shipped) is False
    assert refused.status_code == 200 and not QuantityThreshold.objects.filter(entry_name="probe").exists()
    offered = model_admin.formfield_for_foreignkey(QuantityThreshold._meta.get_field("jurisdiction"), request)
    assert list(offered.queryset.values_list("code", flat=True)) == ["KZ"]


def _version() -> int:
    return LegalDataVersion.objects.get().number


def _last_event() -> int:
    return AuditEvent.objects.latest("sequence").sequence


def _events_since(sequence: int) -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(sequence__gt=sequence).order_by("sequence"))


def _request(user):
    request = RequestFactory().post("/")
    request.user = user
    request._messages = CookieStorage(request)
    return request


def _page(obj, **changes) -> dict:
    """What the admin's change page of ``obj`` posts back with ``changes`` made in it."""
    model_admin = site._registry[type(obj)]
    form = model_admin.get_form(_request(AnonymousUser()), obj, change=False)(instance=obj)
    data = {field.html_name: field.value() for field in form} | changes
    return {key: value for key, value in data.items() if value is not None}


def _examples_page(definition, *added: dict) -> dict:
    """The inline of a definition's worked examples as its change page posts it, with ``added`` ones."""
    stored = list(definition.examples.order_by("pk"))
    data = {
        "examples-TOTAL_FORMS": len(stored) + len(added),
        "examples-INITIAL_FORMS": len(stored),
        "examples-MIN_NUM_FORMS": 0,
        "examples-MAX_NUM_FORMS": 1000,
    }
    rows = [vars(example) for example in stored] + list(added)
    for number, row in enumerate(rows):
        fields = {
            "id": row.get("id"),
            "definition": definition.pk,
            "name": row["name"],
            "smiles": row["smiles"],
        }
        fields |= {"note": row.get("note", ""), "must_match": "on" if row["must_match"] else None}
        data |= {f"examples-{number}-{key}": value for key, value in fields.items() if value is not None}
    return data


def _spy(monkeypatch, name: str) -> list:
    """Record each call the admin makes to the action ``name`` (which still runs)."""
    calls = []
    action = getattr(actions, name)

    def spy(actor, obj, *args, **kwargs):
        calls.append(obj.pk)
        return action(actor, obj, *args, **kwargs)

    monkeypatch.setattr(legal_admin, name, spy)
    return calls


def _local_definition(admin) -> GenericDefinition:
    return actions.save_legal_fact(
        admin,
        GenericDefinition(
            code="kz-probe-class",
            control_list=ControlList.objects.get(code="KZ-ANALOGUES"),
            name_en="Probe class",
            kind="class",
            rule={"any_of": ["[CH3][CH2][NH2]"]},
            effective_from=datetime.date(2025, 1, 1),
        ),
    )


def _received_threshold() -> QuantityThreshold:
    """A Kazakh threshold another node created (and sent here)."""
    return QuantityThreshold.objects.create(
        jurisdiction_id="KZ",
        entry_name="received probe",
        effective_from=datetime.date(2025, 1, 1),
        note="as sent",
        origin_node=uuid.uuid4(),
    )


def test_a_change_on_the_admin_page_goes_through_the_action_audited_once_with_the_version_moved(
    client, persona, monkeypatch
):
    # Given a Kazakh node administrator on the page of a shipped Kazakh threshold
    admin = persona("kz_node_admin")
    client.force_login(admin)
    threshold = QuantityThreshold.objects.get(jurisdiction="KZ", entry_name="mephedrone")
    calls = _spy(monkeypatch, "save_legal_fact")
    version, last = _version(), _last_event()

    # When they change its note and save
    response = client.post(
        f"/admin/legal/quantitythreshold/{threshold.pk}/change/",
        _page(threshold, note="checked in the gazette"),
    )

    # Then the action wrote it: one audited change (the changed fields before and after), version moved
    changed = QuantityThreshold.objects.get(pk=threshold.pk)
    [event] = _events_since(last)
    assert response.status_code == 302 and calls == [threshold.pk]
    assert changed.note == "checked in the gazette" and changed.maintained_locally is True
    assert changed.record_version == threshold.record_version + 1
    assert event.action == "admin.record.changed" and event.object_type == "legal.quantitythreshold"
    assert event.object_id == str(threshold.global_id) and event.actor_username == admin.username
    assert event.before["note"] == threshold.note and event.after["note"] == "checked in the gazette"
    assert event.before["maintained_locally"] is False and event.after["maintained_locally"] is True
    assert _version() == version + 1


def test_adding_on_the_admin_page_is_audited_as_created_and_saving_without_a_change_writes_nothing(
    client, persona
):
    admin = persona("kz_node_admin")
    client.force_login(admin)
    version, last = _version(), _last_event()

    response = client.post(
        "/admin/legal/instrument/add/",
        {"code": "kz-probe-order", "jurisdiction": "KZ", "title_en": "Probe order", "url": "example.org/x"},
    )

    instrument = Instrument.objects.get(code="kz-probe-order")
    [event] = _events_since(last)
    assert response.status_code == 302 and instrument.maintained_locally is True
    assert instrument.url == "https://example.org/x"
    assert event.action == "admin.record.created" and event.after["title_en"] == "Probe order"
    assert _version() == version + 1

    again = client.post(f"/admin/legal/instrument/{instrument.pk}/change/", _page(instrument))

    assert again.status_code == 302 and _events_since(event.sequence) == [] and _version() == version + 1


def test_changing_a_definitions_worked_examples_is_audited_and_marks_it_as_the_nodes(client, persona):
    # Given a shipped definition with worked examples, on the admin page of the regional centre's admin
    # (granted the worked examples' own permissions: the node administrator's role does not hold them)
    admin = persona("hub_admin")
    admin.user_permissions.add(
        *Permission.objects.filter(content_type__app_label="legal", codename__endswith="_genericexample")
    )
    client.force_login(admin)
    definition = GenericDefinition.objects.exclude(kind="analogue_similarity").order_by("pk").first()
    first = definition.examples.order_by("pk").first()
    before = sorted(definition.examples.values_list("name", flat=True))
    version, last = _version(), _last_event()

    # When they delete one worked example and add another (and change nothing else)
    page = _page(definition) | _examples_page(
        definition, {"name": "probe", "smiles": "CCN", "must_match": False}
    )
    response = client.post(
        f"/admin/legal/genericdefinition/{definition.pk}/change/", page | {"examples-0-DELETE": "on"}
    )

    # Then the examples are changed, audited once as a change of the definition, which is now the node's
    [event] = _events_since(last)
    assert response.status_code == 302
    assert sorted(definition.examples.values_list("name", flat=True)) == sorted(
        [name for name in before if name != first.name] + ["probe"]
    )
    assert GenericDefinition.objects.get(pk=definition.pk).maintained_locally is True
    assert event.action == "admin.record.changed" and event.object_id == str(definition.global_id)
    assert sorted(row[0] for row in event.before["examples"]) == before
    assert ["probe", "CCN", False, ""] in event.after["examples"]
    assert [first.name, first.smiles, first.must_match, first.note] not in event.after["examples"]
    assert event.after["maintained_locally"] is True
    assert _version() == version + 1


def test_set_generic_examples_changes_and_deletes_examples_and_writes_nothing_when_they_are_the_same(persona):
    admin = persona("kz_node_admin")
    definition = _local_definition(admin)
    actions.set_generic_examples(
        admin, definition, [GenericExample(name="ethylamine", smiles="CCN", must_match=True)]
    )
    [example] = definition.examples.all()
    version, last = _version(), _last_event()

    assert actions.set_generic_examples(admin, definition, [example]) is False
    assert _events_since(last) == [] and _version() == version

    example.must_match = False
    kept = GenericExample(name="methane", smiles="C", must_match=False)
    assert actions.set_generic_examples(admin, definition, [kept]) is True

    [event] = _events_since(last)
    assert list(definition.examples.values_list("name", "must_match")) == [("methane", False)]
    assert event.before == {"examples": [["ethylamine", "CCN", True, ""]]}
    assert event.after == {"examples": [["methane", "C", False, ""]]}
    assert _version() == version + 1


def test_a_non_maintainer_is_refused_and_nothing_changes(client, persona):
    # Given a UN list, a Kazakh threshold, and people who do not maintain them
    kz_admin, chemist = persona("kz_node_admin"), persona("kz_lab_chemist")
    control_list = ControlList.objects.get(code="UN-1988-II")
    threshold = QuantityThreshold.objects.get(jurisdiction="KZ", entry_name="mephedrone")
    definition = GenericDefinition.objects.get(code="gb-cathinones-2010")
    client.force_login(kz_admin)
    version, last = _version(), _last_event()

    # When the Kazakh node administrator changes the UN list on its page, or through the action
    page = client.post(
        f"/admin/legal/controllist/{control_list.pk}/change/", _page(control_list, covers_stereoisomers=True)
    )
    control_list.covers_stereoisomers = True
    with pytest.raises(PermissionDenied):
        actions.save_legal_fact(kz_admin, control_list)
    # or moves a Kazakh threshold to Uzbekistan, or a chemist changes the Kazakh one
    threshold.jurisdiction_id = "UZ"
    with pytest.raises(PermissionDenied):
        actions.save_legal_fact(kz_admin, threshold)
    threshold.jurisdiction_id, threshold.note = "KZ", "changed"
    with pytest.raises(PermissionDenied):
        actions.save_legal_fact(chemist, threshold)
    with pytest.raises(PermissionDenied):
        actions.set_generic_examples(kz_admin, definition, [])

    # Then each is refused, and nothing changed
    assert page.status_code == 403
    assert ControlList.objects.get(pk=control_list.pk).covers_stereoisomers is False
    assert QuantityThreshold.objects.get(pk=threshold.pk).jurisdiction_id == "KZ"
    assert QuantityThreshold.objects.get(pk=threshold.pk).note != "changed"
    assert _events_since(last) == [] and _version() == version


def test_a_shipped_fact_is_refused_by_the_delete_action_with_nothing_changed(persona):
    admin = persona("kz_node_admin")
    shipped = QuantityThreshold.objects.get(jurisdiction="KZ", entry_name="mephedrone")
    version, last = _version(), _last_event()

    with pytest.raises(PermissionDenied):
        actions.delete_legal_fact(admin, shipped)
    with pytest.raises(PermissionDenied):
        site._registry[QuantityThreshold].delete_model(_request(admin), shipped)

    assert QuantityThreshold.objects.get(pk=shipped.pk).record_state == "active"
    assert _events_since(last) == [] and _version() == version


def test_a_generic_definition_deleted_in_the_admin_is_a_tombstone_and_its_code_is_not_given_again(
    persona, monkeypatch
):
    # Given a definition the node recorded itself
    admin = persona("kz_node_admin")
    definition = _local_definition(admin)
    calls = _spy(monkeypatch, "delete_legal_fact")
    version, last = _version(), _last_event()

    # When the admin deletes it
    site._registry[GenericDefinition].delete_model(_request(admin), definition)

    # Then it is gone for readers, kept as a tombstone, audited once with its fields, the version moved
    [event] = _events_since(last)
    assert calls == [definition.pk]
    assert not GenericDefinition.objects.filter(pk=definition.pk).exists()
    assert GenericDefinition.with_tombstones().get(pk=definition.pk).record_state == "deleted"
    assert event.action == "admin.record.deleted" and event.before["code"] == "kz-probe-class"
    assert _version() == version + 1
    # And its code is not given to another definition
    with pytest.raises(ValidationError) as refused:
        _local_definition(admin)
    assert "code" in refused.value.message_dict


def test_deleting_a_selection_deletes_what_may_be_and_keeps_the_rest(persona):
    # Given a shipped threshold, one the node recorded, and an instrument it recorded
    admin = persona("kz_node_admin")
    shipped = QuantityThreshold.objects.get(jurisdiction="KZ", entry_name="mephedrone")
    own = actions.save_legal_fact(
        admin,
        QuantityThreshold(jurisdiction_id="KZ", entry_name="probe", effective_from=datetime.date(2025, 1, 1)),
    )
    instrument = actions.save_legal_fact(
        admin, Instrument(code="kz-probe-order", jurisdiction_id="KZ", title_en="Probe order")
    )
    version, last = _version(), _last_event()
    request = _request(admin)

    # When the selection is deleted
    site._registry[QuantityThreshold].delete_queryset(
        request, QuantityThreshold.objects.filter(pk__in=[shipped.pk, own.pk])
    )
    site._registry[Instrument].delete_queryset(request, Instrument.objects.filter(pk=instrument.pk))

    # Then the node's threshold is a tombstone, its instrument gone, the shipped one kept (and said so)
    assert QuantityThreshold.objects.filter(pk=shipped.pk).exists()
    assert QuantityThreshold.with_tombstones().get(pk=own.pk).record_state == "deleted"
    assert not Instrument.objects.filter(pk=instrument.pk).exists()
    assert [event.action for event in _events_since(last)] == ["admin.record.deleted"] * 2
    assert _version() == version + 2
    assert [str(message) for message in request._messages._queued_messages] == [
        "1 of them were kept: facts of the reference content, of another jurisdiction, or received from "
        "another node are not deleted."
    ]


def test_a_received_threshold_cannot_be_changed_or_deleted_in_the_admin_or_by_the_action(client, persona):
    # Given a Kazakh threshold another node sent, and this node's Kazakh administrator
    admin = persona("kz_node_admin")
    received = _received_threshold()
    model_admin = site._registry[QuantityThreshold]
    client.force_login(admin)
    version, last = _version(), _last_event()

    # When they change it on its page, through the admin's save, or through the action, or delete it
    page = client.post(
        f"/admin/legal/quantitythreshold/{received.pk}/change/", _page(received, note="edited")
    )
    received.note = "edited"
    with pytest.raises(PermissionDenied):
        model_admin.save_model(_request(admin), received, None, True)
    with pytest.raises(PermissionDenied):
        actions.save_legal_fact(admin, received)
    with pytest.raises(PermissionDenied):
        actions.delete_legal_fact(admin, received)

    # Then each is refused, and the record is as it was sent
    stored = QuantityThreshold.objects.get(pk=received.pk)
    assert page.status_code == 403
    assert model_admin.has_change_permission(_request(admin), stored) is False
    assert model_admin.has_delete_permission(_request(admin), stored) is False
    assert (stored.note, stored.record_version, stored.record_state) == ("as sent", 1, "active")
    assert _events_since(last) == [] and _version() == version


def test_a_generic_definition_whose_rule_does_not_compile_is_refused_by_the_form_and_the_action(persona):
    admin = persona("kz_node_admin")
    definition = _local_definition(admin)
    model_admin = site._registry[GenericDefinition]
    form = model_admin.get_form(_request(admin), definition)(
        instance=definition, data=_page(definition, rule='{"any_of": ["[C"]}')
    )
    last = _last_event()

    definition.rule = {"any_of": ["[C"]}
    with pytest.raises(ValidationError) as refused:
        actions.save_legal_fact(admin, definition)

    assert not form.is_valid() and "invalid SMARTS" in form.errors["rule"][0]
    assert "invalid SMARTS" in refused.value.message_dict["rule"][0]
    assert GenericDefinition.objects.get(pk=definition.pk).rule == {"any_of": ["[CH3][CH2][NH2]"]}
    assert _events_since(last) == []
