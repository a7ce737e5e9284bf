"""The node administrator's organisation and sharing-group pages: list, create, edit; 403 for others;
every change audited through the actions."""

import pytest
from django.urls import reverse

from fdx.accounts.models import Organisation, SharingGroup
from fdx.audit.models import AuditEvent

pytestmark = pytest.mark.django_db

PAGES = [
    ("accounts:organisations", {}),
    ("accounts:organisation-create", {}),
    ("accounts:organisation-edit", {"code": "demo-kz-forensic-centre"}),
    ("accounts:sharing-groups", {}),
    ("accounts:sharing-group-create", {}),
]


@pytest.mark.parametrize(("name", "kwargs"), PAGES)
@pytest.mark.parametrize(("persona_name", "status"), [("hub_admin", 200), ("kz_lab_admin", 403)])
def test_pages_are_for_node_administrators(client, persona, name, kwargs, persona_name, status):
    persona("kz_lab_chemist")
    client.force_login(persona(persona_name))

    assert client.get(reverse(name, kwargs=kwargs)).status_code == status


def test_a_post_by_an_organisation_administrator_is_refused(client, persona):
    client.force_login(persona("kz_lab_admin"))

    response = client.post(
        reverse("accounts:organisation-create"),
        {"code": "x-lab", "name_en": "X", "name_ru": "X", "country": "KZ", "org_type": "police"},
    )

    assert response.status_code == 403
    assert not Organisation.objects.filter(code="x-lab").exists()


def test_navigation_links_the_organisations_for_node_administrators_only(client, persona):
    client.force_login(persona("hub_admin"))
    assert b'id="nav-organisations"' in client.get(reverse("accounts:account")).content

    client.force_login(persona("kz_lab_admin"))
    assert b'id="nav-organisations"' not in client.get(reverse("accounts:account")).content


def test_node_administrator_creates_and_edits_an_organisation_audited(client, persona):
    client.force_login(persona("hub_admin"))

    response = client.post(
        reverse("accounts:organisation-create"),
        {
            "code": "tj-customs",
            "name_en": "Customs Service of Tajikistan",
            "name_ru": "Таможенная служба Таджикистана",
            "name_local": "Хадамоти гумрук",
            "country": "TJ",
            "org_type": "customs",
        },
    )

    assert response.status_code == 302
    organisation = Organisation.objects.get(code="tj-customs")
    assert organisation.country_id == "TJ" and organisation.org_type == "customs" and organisation.is_active
    assert AuditEvent.objects.latest("sequence").action == "accounts.organisation.created"
    assert "tj-customs" in client.get(reverse("accounts:organisations")).content.decode()

    response = client.post(
        reverse("accounts:organisation-edit", kwargs={"code": "tj-customs"}),
        {
            "name_en": "Customs Service of the Republic of Tajikistan",
            "name_ru": "Таможенная служба Таджикистана",
            "country": "TJ",
            "org_type": "customs",
            "reason": "official name",
        },
    )

    assert response.status_code == 302
    organisation.refresh_from_db()
    assert organisation.name_en == "Customs Service of the Republic of Tajikistan"
    assert not organisation.is_active  # the box was left unticked
    event = AuditEvent.objects.latest("sequence")
    assert event.action == "accounts.organisation.changed" and event.reason == "official name"


def test_a_duplicate_code_is_shown_on_the_form_not_a_500(client, persona):
    persona("kz_lab_chemist")
    client.force_login(persona("hub_admin"))

    response = client.post(
        reverse("accounts:organisation-create"),
        {
            "code": "demo-kz-forensic-centre",
            "name_en": "Again",
            "name_ru": "Снова",
            "country": "KZ",
            "org_type": "police",
        },
    )

    assert response.status_code == 422
    assert response.context["form"].errors["code"]


def test_node_administrator_creates_and_edits_a_sharing_group_audited(client, persona):
    kz = persona("kz_lab_chemist").organisation
    kg = persona("kg_lab_chemist").organisation
    client.force_login(persona("hub_admin"))

    response = client.post(
        reverse("accounts:sharing-group-create"),
        {
            "code": "nps-watch",
            "name_en": "NPS watch",
            "name_ru": "Наблюдение за НПВ",
            "description": "New psychoactive substances",
            "organisations": [kz.pk],
        },
    )

    assert response.status_code == 302
    group = SharingGroup.objects.get(code="nps-watch")
    assert list(group.organisations.all()) == [kz]
    assert AuditEvent.objects.latest("sequence").action == "accounts.sharing_group.created"
    assert "nps-watch" in client.get(reverse("accounts:sharing-groups")).content.decode()

    response = client.post(
        reverse("accounts:sharing-group-edit", kwargs={"code": "nps-watch"}),
        {
            "name_en": "NPS watch",
            "name_ru": "Наблюдение за НПВ",
            "description": "New psychoactive substances",
            "organisations": [kz.pk, kg.pk],
            "is_active": "on",
            "reason": "Kyrgyz laboratory joins",
        },
    )

    assert response.status_code == 302
    assert set(group.organisations.all()) == {kz, kg}
    event = AuditEvent.objects.latest("sequence")
    assert event.action == "accounts.sharing_group.changed" and event.reason == "Kyrgyz laboratory joins"
