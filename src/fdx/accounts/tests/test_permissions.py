"""Who may change people, as a table: every row is run, and a refusal must leave everything unchanged."""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied

from fdx.accounts import actions
from fdx.accounts.choices import OrganisationType, Role
from fdx.accounts.models import ApiToken, Organisation, User
from fdx.audit.models import AuditEvent
from fdx.geo.models import Country

pytestmark = pytest.mark.django_db


def _create_user(actor, persona, roles=(Role.DATA_ENTRY,), org="demo-kz-forensic-centre"):
    persona("kz_lab_chemist")  # makes sure the organisation exists
    return actions.create_user(
        actor, username="new_person", organisation=Organisation.objects.get(code=org), roles=list(roles)
    )


def _create_organisation(actor, persona):
    return actions.create_organisation(
        actor,
        code="new-org",
        name_en="New",
        name_ru="Новая",
        country=Country.objects.get(code="UZ"),
        org_type=OrganisationType.CUSTOMS,
    )


def _give_reviewer_role(actor, persona):
    return actions.set_user_roles(actor, persona("kz_lab_chemist"), [Role.REVIEWER])


def _strip_node_admin(actor, persona):
    persona("hub_admin_deputy")
    return actions.set_user_roles(actor, persona("hub_admin"), [Role.VIEWER])


def _reset_password(actor, persona):
    return actions.reset_password(actor, persona("kz_lab_chemist"))


def _deactivate(actor, persona):
    return actions.update_user(actor, persona("kz_lab_chemist"), is_active=False)


def _token_for_chemist(actor, persona):
    return actions.create_api_token(actor, persona("kz_lab_chemist"), name="lims")


def _revoke_chemist_token(actor, persona):
    token = ApiToken.objects.filter(user__username="kz_lab_chemist").first()
    return actions.revoke_api_token(actor, token)


CASES = [
    # (description, action, actor persona or None for anonymous, allowed)
    ("node admin creates a user anywhere", _create_user, "hub_admin", True),
    ("org admin creates a user in own org", _create_user, "kz_lab_admin", True),
    ("org admin of another org", _create_user, "kg_lab_admin", False),
    ("same org, no admin role", _create_user, "kz_lab_viewer", False),
    ("data entry", _create_user, "kz_lab_chemist", False),
    ("anonymous", _create_user, None, False),
    ("node admin creates an organisation", _create_organisation, "hub_admin", True),
    ("org admin creates an organisation", _create_organisation, "kz_lab_admin", False),
    ("analyst creates an organisation", _create_organisation, "uz_police_analyst", False),
    ("org admin changes a role in own org", _give_reviewer_role, "kz_lab_admin", True),
    ("org admin of another org changes a role", _give_reviewer_role, "kg_lab_admin", False),
    ("user changes own role", _give_reviewer_role, "kz_lab_chemist", False),
    ("viewer changes a role", _give_reviewer_role, "kz_lab_viewer", False),
    ("org admin strips a node admin", _strip_node_admin, "kz_lab_admin", False),
    ("node admin strips another node admin", _strip_node_admin, "hub_admin_deputy", True),
    ("org admin resets a password in own org", _reset_password, "kz_lab_admin", True),
    ("org admin of another org resets a password", _reset_password, "kg_lab_admin", False),
    ("analyst resets a password", _reset_password, "uz_police_analyst", False),
    ("org admin deactivates a user of own org", _deactivate, "kz_lab_admin", True),
    ("another org's admin deactivates", _deactivate, "kg_lab_admin", False),
    ("user creates own token", _token_for_chemist, "kz_lab_chemist", True),
    ("org admin creates a token for own org's user", _token_for_chemist, "kz_lab_admin", True),
    ("colleague without admin role creates a token", _token_for_chemist, "kz_lab_viewer", False),
    ("another org's admin creates a token", _token_for_chemist, "kg_lab_admin", False),
    ("anonymous creates a token", _token_for_chemist, None, False),
]


def _state():
    return (
        User.objects.count(),
        Organisation.objects.count(),
        ApiToken.objects.count(),
        AuditEvent.objects.count(),
        sorted(User.objects.values_list("username", "is_active", "password")),
        sorted(User.objects.filter(groups__isnull=False).values_list("username", "groups__name")),
    )


@pytest.mark.parametrize(("description", "action", "actor_name", "allowed"), CASES, ids=[c[0] for c in CASES])
def test_people_permissions(persona, description, action, actor_name, allowed):
    # Given every persona the action touches exists
    for name in (
        "kz_lab_chemist",
        "kz_lab_admin",
        "hub_admin",
        "hub_admin_deputy",
        "kg_lab_admin",
        "kz_lab_viewer",
    ):
        persona(name)
    actor = persona(actor_name) if actor_name else AnonymousUser()
    before = _state()

    if allowed:
        action(actor, persona)
        assert AuditEvent.objects.count() > before[3], "an allowed change is audited"
    else:
        with pytest.raises(PermissionDenied):
            action(actor, persona)
        assert _state() == before, "a refused change leaves everything as it was"


@pytest.mark.parametrize("actor_name", ["kz_lab_chemist", "kz_lab_viewer", "kg_lab_admin"])
def test_revoking_someone_elses_token_is_refused(persona, actor_name):
    owner = persona("kz_lab_admin")
    token, _secret = actions.create_api_token(owner, owner, name="mine")
    actor = persona(actor_name)

    with pytest.raises(PermissionDenied):
        actions.revoke_api_token(actor, token)

    token.refresh_from_db()
    assert token.revoked_at is None
