import pytest
from django.core.exceptions import PermissionDenied

from fdx.accounts import actions
from fdx.accounts.models import SharingGroup
from fdx.audit.models import AuditEvent

pytestmark = pytest.mark.django_db


def test_node_admins_create_and_change_groups(persona):
    admin = persona("hub_admin")
    kz, kg = persona("kz_lab_chemist").organisation, persona("kg_lab_chemist").organisation

    group = actions.create_sharing_group(
        admin, code="kz-kg", name_en="KZ–KG", name_ru="КЗ–КГ", organisations=[kz]
    )
    actions.update_sharing_group(admin, group, organisations=[kz, kg], reason="Kyrgyz laboratory joins")

    assert set(group.organisations.values_list("code", flat=True)) == {kz.code, kg.code}
    event = AuditEvent.objects.latest("sequence")
    assert event.action == "accounts.sharing_group.changed" and event.reason == "Kyrgyz laboratory joins"


def test_others_cannot(persona):
    with pytest.raises(PermissionDenied):
        actions.create_sharing_group(persona("kz_lab_admin"), code="x", name_en="X", name_ru="Х")
    assert not SharingGroup.objects.filter(code="x").exists()


def test_members_see_their_groups_through_the_api(api, persona):
    kz = persona("kz_lab_chemist").organisation
    actions.create_sharing_group(
        persona("hub_admin"), code="kz-only", name_en="KZ", name_ru="КЗ", organisations=[kz]
    )

    mine = api.get("/sharing-groups", user=persona("kz_lab_chemist")).json()
    theirs = api.get("/sharing-groups", user=persona("uz_police_analyst")).json()

    assert [g["code"] for g in mine] == ["kz-only"] and theirs == []
    created = api.post(
        "/sharing-groups",
        {"code": "new-group", "name_en": "N", "name_ru": "Н", "organisations": ["no-such"]},
        user=persona("hub_admin"),
    )
    assert created.status_code == 422
