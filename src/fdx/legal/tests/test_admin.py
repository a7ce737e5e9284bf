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
