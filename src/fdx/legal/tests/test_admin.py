"""The legal framework's administration pages: a node's own edit is marked so that a reload leaves it."""

import pytest
from django.contrib.admin.sites import site
from django.test import RequestFactory

from fdx.legal.models import ControlList, LegalDataVersion

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
    from fdx.legal.models import QuantityThreshold

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


def test_changing_a_definitions_worked_examples_is_audited_and_marks_it_as_the_nodes(persona, monkeypatch):
    from fdx.audit.models import AuditEvent
    from fdx.legal.models import GenericDefinition, GenericExample

    admin = persona("hub_admin")
    definition = GenericDefinition.objects.exclude(kind="analogue_similarity").order_by("pk").first()
    model_admin = site._registry[GenericDefinition]
    request = RequestFactory().post("/")
    request.user = admin
    form_class = model_admin.get_form(request, definition)
    initial = form_class(instance=definition).initial
    form = form_class(instance=definition, data={k: v for k, v in initial.items() if v is not None})
    form.fields["rule"].disabled = True  # the stored rule as it is (JSON in the bound data)
    assert form.is_valid(), form.errors
    form.save(commit=False)
    before = definition.examples.count()

    class AddsOne:  # an inline formset that adds one worked example
        def save(self):
            GenericExample.objects.create(definition=definition, name="probe", smiles="CCN", must_match=False)

    monkeypatch.setattr(model_admin, "save_formset", lambda request, form, formset, change: formset.save())
    model_admin.save_related(request, form, [AddsOne()], change=True)

    event = AuditEvent.objects.latest("sequence")
    assert definition.examples.count() == before + 1
    assert GenericDefinition.objects.get(pk=definition.pk).maintained_locally is True
    assert event.action == "admin.record.changed" and len(event.after["examples"]) == before + 1
