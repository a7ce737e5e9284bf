"""Named personas for tests (Zulip's ``example_user``): realistic people of the region, one call away.

The demo users of ``fdx.demo.people`` are personas too, with the same names, so that a test reads like the
demo: ``kz_lab_chemist`` records, ``kz_lab_head`` reviews, ``hub_admin`` runs the node.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth.models import Group

from fdx.accounts.choices import OrganisationType, Role
from fdx.accounts.models import Organisation, User
from fdx.demo.people import DEMO_ORGANISATIONS, DEMO_USERS
from fdx.geo.models import Country


@dataclass(frozen=True)
class Persona:
    username: str
    organisation: str
    roles: tuple[str, ...]


_EXTRA_ORGANISATIONS = {
    "test-international-office": ("AT", OrganisationType.INTERNATIONAL),
}

PERSONAS: dict[str, Persona] = {
    demo.username: Persona(demo.username, demo.organisation, (str(demo.role),)) for demo in DEMO_USERS
} | {
    # Same laboratory as kz_lab_chemist, but no administrative role.
    "kz_lab_viewer": Persona("kz_lab_viewer", "demo-kz-forensic-centre", (Role.VIEWER,)),
    # An organisation administrator of another country's laboratory.
    "kg_lab_admin": Persona("kg_lab_admin", "demo-kg-forensic-service", (Role.ORG_ADMIN,)),
    "kg_lab_chemist": Persona("kg_lab_chemist", "demo-kg-forensic-service", (Role.DATA_ENTRY,)),
    # Readers of case data at each distance from the Kazakh laboratory.
    "kz_police_analyst": Persona("kz_police_analyst", "demo-kz-police", (Role.ANALYST,)),
    "rc_analyst": Persona("rc_analyst", "demo-regional-centre", (Role.ANALYST,)),
    "intl_analyst": Persona("intl_analyst", "test-international-office", (Role.ANALYST,)),
    "kg_lab_head": Persona("kg_lab_head", "demo-kg-forensic-service", (Role.REVIEWER,)),
    # A second node administrator, for "the last node administrator" rules.
    "hub_admin_deputy": Persona("hub_admin_deputy", "demo-regional-centre", (Role.NODE_ADMIN,)),
    # A node administrator of a national (Kazakh) organisation: maintains Kazakhstan's lists only.
    "kz_node_admin": Persona("kz_node_admin", "demo-kz-forensic-centre", (Role.NODE_ADMIN,)),
}

PERSONA_PASSWORD = "correct horse battery staple 42"  # noqa: S105 (tests only)


def organisation(code: str):
    """The demo organisation ``code``, created on first use."""
    existing = Organisation.objects.filter(code=code).first()
    if existing is not None:
        return existing
    demo = next((d for d in DEMO_ORGANISATIONS if d.code == code), None)
    if demo is not None:
        country, org_type, name_en, name_ru = demo.country, demo.org_type, demo.name_en, demo.name_ru
    else:
        country, org_type = _EXTRA_ORGANISATIONS[code]
        name_en, name_ru = code, code
    return Organisation.objects.create(
        code=code,
        name_en=name_en,
        name_ru=name_ru,
        country=Country.objects.get(code=country),
        org_type=org_type,
    )


def persona(name: str):
    """The user ``name`` (see ``PERSONAS``), created on first use with ``PERSONA_PASSWORD``."""
    spec = PERSONAS[name]
    user = User.objects.filter(username=spec.username).first()
    if user is None:
        user = User(
            username=spec.username,
            organisation=organisation(spec.organisation),
            email=f"{spec.username}@test.fdx.invalid",
            first_name=spec.username.split("_")[0].upper(),
        )
        user.set_password(PERSONA_PASSWORD)
        user.is_staff = Role.NODE_ADMIN in spec.roles
        user.save()
        user.groups.set(Group.objects.filter(name__in=spec.roles))
    return user
