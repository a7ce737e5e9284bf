import datetime

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import ValidationError
from django.utils import timezone

from fdx.accounts import actions
from fdx.accounts.choices import OrganisationType, Role
from fdx.accounts.models import ApiToken, Organisation, User
from fdx.accounts.tokens import hash_token
from fdx.audit.models import AuditEvent
from fdx.core.actors import system
from fdx.geo.models import Country

pytestmark = pytest.mark.django_db


def last_event():
    return AuditEvent.objects.order_by("-sequence").first()


def test_create_organisation_is_audited_with_its_fields(persona):
    admin = persona("hub_admin")

    organisation = actions.create_organisation(
        admin,
        code="kz-customs-khorgos",
        name_en="Khorgos customs post",
        name_ru="Таможенный пост Хоргос",
        country=Country.objects.get(code="KZ"),
        org_type=OrganisationType.CUSTOMS,
    )

    event = last_event()
    assert event.action == "accounts.organisation.created"
    assert event.object_id == str(organisation.global_id)
    assert event.after["code"] == "kz-customs-khorgos"
    assert event.after["country"] == "KZ"


def test_create_organisation_validates_and_writes_nothing_when_invalid(persona):
    admin = persona("hub_admin")
    events = AuditEvent.objects.count()

    with pytest.raises(ValidationError) as error:
        actions.create_organisation(
            admin,
            code="Not a slug!",
            name_en="X",
            name_ru="Х",
            country=Country.objects.get(code="KZ"),
            org_type="no-such-type",
        )

    assert set(error.value.message_dict) == {"code", "org_type"}
    assert not Organisation.objects.filter(name_en="X").exists()
    assert AuditEvent.objects.count() == events


def test_update_organisation_records_only_what_changed(persona):
    admin = persona("hub_admin")
    organisation = persona("kz_lab_chemist").organisation

    actions.update_organisation(admin, organisation, name_en="Renamed centre", reason="official renaming")

    event = last_event()
    assert event.action == "accounts.organisation.changed"
    assert event.before == {"name_en": "Centre of Forensic Examinations, Almaty (demo)"}
    assert event.after == {"name_en": "Renamed centre"}
    assert event.reason == "official renaming"


def test_create_user_generates_a_password_and_grants_roles(persona):
    admin = persona("kz_lab_admin")

    user, password = actions.create_user(
        admin,
        username="new_chemist",
        organisation=admin.organisation,
        roles=[Role.DATA_ENTRY, Role.REVIEWER],
        first_name="Ainur",
    )

    assert len(password) == 20
    assert user.check_password(password)
    assert actions.user_roles(user) == {"data_entry", "reviewer"}
    assert not user.is_staff
    event = last_event()
    assert event.action == "accounts.user.created"
    assert event.after["roles"] == ["data_entry", "reviewer"]
    assert "password" not in event.after


def test_create_user_refuses_a_weak_password_and_writes_nothing(persona):
    admin = persona("kz_lab_admin")

    with pytest.raises(ValidationError):
        actions.create_user(admin, username="weak", organisation=admin.organisation, password="12345678")

    assert not User.objects.filter(username="weak").exists()


def test_create_user_refuses_an_unknown_role(persona):
    admin = persona("hub_admin")

    with pytest.raises(ValidationError) as error:
        actions.create_user(admin, username="x1", organisation=admin.organisation, roles=["superhero"])

    assert "roles" in error.value.message_dict
    assert not User.objects.filter(username="x1").exists()


def test_create_user_refuses_a_duplicate_username(persona):
    admin = persona("hub_admin")
    persona("kz_lab_chemist")

    with pytest.raises(ValidationError) as error:
        actions.create_user(admin, username="kz_lab_chemist", organisation=admin.organisation)

    assert "username" in error.value.message_dict


def test_node_admin_role_makes_staff_and_removing_it_unmakes(persona):
    admin = persona("hub_admin")
    user, _password = actions.create_user(
        admin, username="deputy", organisation=admin.organisation, roles=[Role.NODE_ADMIN]
    )
    assert User.objects.get(pk=user.pk).is_staff

    actions.set_user_roles(admin, user, [Role.ANALYST], reason="moved to analysis")

    assert not User.objects.get(pk=user.pk).is_staff
    event = last_event()
    assert (event.before, event.after, event.reason) == (
        {"roles": ["node_admin"]},
        {"roles": ["analyst"]},
        "moved to analysis",
    )


def test_the_last_node_admin_cannot_be_removed(persona):
    admin = persona("hub_admin")

    with pytest.raises(ValidationError):
        actions.set_user_roles(system("cli:root"), admin, [Role.VIEWER])
    with pytest.raises(ValidationError):
        actions.update_user(system("cli:root"), admin, is_active=False)

    assert actions.user_roles(admin) == {"node_admin"}


def test_change_own_password_needs_the_old_one(persona):
    chemist = persona("kz_lab_chemist")

    with pytest.raises(ValidationError) as error:
        actions.change_own_password(chemist, old_password="wrong", new_password="a much better passphrase 9")
    assert "old_password" in error.value.message_dict

    actions.change_own_password(
        chemist, old_password="correct horse battery staple 42", new_password="a much better passphrase 9"
    )
    assert User.objects.get(pk=chemist.pk).check_password("a much better passphrase 9")
    assert last_event().action == "accounts.user.password_changed"


def test_tokens_are_stored_hashed_and_shown_once(persona):
    chemist = persona("kz_lab_chemist")

    token, secret = actions.create_api_token(chemist, chemist, name="LIMS import", days=30)

    assert secret.startswith("fdx_") and len(secret) > 40
    assert token.token_hash == hash_token(secret)
    assert secret not in str(ApiToken.objects.filter(pk=token.pk).values().get())
    assert token.expires_at - timezone.now() > datetime.timedelta(days=29, hours=23)
    assert last_event().action == "accounts.token.created"


def test_token_lifetime_is_bounded(persona):
    chemist = persona("kz_lab_chemist")

    with pytest.raises(ValidationError) as error:
        actions.create_api_token(chemist, chemist, name="forever", days=10000)

    assert "days" in error.value.message_dict


@pytest.mark.parametrize(
    ("change", "code"),
    [
        (
            lambda t: ApiToken.objects.filter(pk=t.pk).update(
                expires_at=timezone.now() - datetime.timedelta(seconds=1)
            ),
            "token_expired",
        ),
        (lambda t: ApiToken.objects.filter(pk=t.pk).update(revoked_at=timezone.now()), "token_revoked"),
        (lambda t: User.objects.filter(pk=t.user_id).update(is_active=False), "user_inactive"),
    ],
    ids=["expired", "revoked", "inactive-user"],
)
def test_unusable_tokens_are_rejected_with_the_reason(persona, change, code):
    chemist = persona("kz_lab_chemist")
    token, secret = actions.create_api_token(chemist, chemist, name="t")
    assert actions.authenticate_token(secret) == chemist

    change(token)

    with pytest.raises(actions.TokenRejected) as rejected:
        actions.authenticate_token(secret)
    assert rejected.value.code == code


def test_unknown_and_malformed_tokens_are_rejected(persona):
    for secret in ("fdx_" + "x" * 43, "not-a-token", ""):
        with pytest.raises(actions.TokenRejected) as rejected:
            actions.authenticate_token(secret)
        assert rejected.value.code == "token_invalid"


def test_revoke_is_idempotent_and_audited_once(persona):
    chemist = persona("kz_lab_chemist")
    token, _secret = actions.create_api_token(chemist, chemist, name="t")

    actions.revoke_api_token(chemist, token, reason="laptop stolen")
    actions.revoke_api_token(chemist, token)

    assert (
        AuditEvent.objects.filter(action="accounts.token.revoked", object_id=str(token.global_id)).count()
        == 1
    )


def test_anonymous_cannot_change_a_password(persona):
    with pytest.raises(Exception):  # noqa: B017 (PermissionDenied or ValidationError; either refuses)
        actions.change_own_password(AnonymousUser(), old_password="x", new_password="y")


def test_reset_two_factor_needs_a_reason(persona):
    admin = persona("kz_lab_admin")

    with pytest.raises(ValidationError):
        actions.reset_two_factor(admin, persona("kz_lab_chemist"), reason=" ")
