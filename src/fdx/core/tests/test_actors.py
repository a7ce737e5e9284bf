import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied

from fdx.core.actors import cli_actor, is_system, is_user, require_permission, system

pytestmark = pytest.mark.django_db


def test_system_actor_is_allowed_and_named():
    actor = system("setup")

    require_permission(actor, "accounts.manage_organisations")

    assert is_system(actor) and not is_user(actor)
    assert str(actor) == "setup"
    assert cli_actor().label.startswith("cli:")


def test_users_need_the_permission(persona):
    require_permission(persona("hub_admin"), "accounts.manage_organisations")
    with pytest.raises(PermissionDenied):
        require_permission(persona("kz_lab_chemist"), "accounts.manage_organisations")


def test_anonymous_and_none_are_refused():
    for actor in (AnonymousUser(), None):
        with pytest.raises(PermissionDenied):
            require_permission(actor, "accounts.manage_organisations")


def test_inactive_users_are_refused(persona):
    admin = persona("hub_admin")
    admin.is_active = False

    with pytest.raises(PermissionDenied):
        require_permission(admin, "accounts.manage_organisations")
