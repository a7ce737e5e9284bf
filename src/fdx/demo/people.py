"""Demo organisations of the five Central Asian states and a regional centre, and one user per role."""

from __future__ import annotations

from dataclasses import dataclass

from django.db import transaction

from fdx.accounts import actions
from fdx.accounts.choices import OrganisationType, Role
from fdx.accounts.models import Organisation, User
from fdx.geo.models import Country


@dataclass(frozen=True)
class DemoOrganisation:
    code: str
    name_en: str
    name_ru: str
    country: str
    org_type: str


@dataclass(frozen=True)
class DemoUser:
    username: str
    organisation: str
    role: str
    first_name: str
    last_name: str
    position: str


DEMO_ORGANISATIONS = [
    DemoOrganisation(
        "demo-kz-forensic-centre",
        "Centre of Forensic Examinations, Almaty (demo)",
        "Центр судебных экспертиз, Алматы (демо)",
        "KZ",
        OrganisationType.FORENSIC_LABORATORY,
    ),
    DemoOrganisation(
        "demo-kz-police",
        "Police Department, Almaty (demo)",
        "Департамент полиции, Алматы (демо)",
        "KZ",
        OrganisationType.POLICE,
    ),
    DemoOrganisation(
        "demo-kz-customs",
        "State Revenue Committee, customs (demo)",
        "Комитет государственных доходов, таможня (демо)",
        "KZ",
        OrganisationType.CUSTOMS,
    ),
    DemoOrganisation(
        "demo-kz-prosecutor",
        "Prosecutor's Office, Almaty (demo)",
        "Прокуратура г. Алматы (демо)",
        "KZ",
        OrganisationType.PROSECUTOR,
    ),
    DemoOrganisation(
        "demo-kz-toxicology",
        "Toxicology Centre, Astana (demo)",
        "Токсикологический центр, Астана (демо)",
        "KZ",
        OrganisationType.HEALTH,
    ),
    DemoOrganisation(
        "demo-kg-forensic-service",
        "Forensic Expert Service, Bishkek (demo)",
        "Служба судебных экспертиз, Бишкек (демо)",
        "KG",
        OrganisationType.FORENSIC_LABORATORY,
    ),
    DemoOrganisation(
        "demo-kg-court",
        "District Court, Bishkek (demo)",
        "Районный суд, Бишкек (демо)",
        "KG",
        OrganisationType.COURT,
    ),
    DemoOrganisation(
        "demo-tj-forensic-centre",
        "Forensic Examination Centre, Dushanbe (demo)",
        "Центр судебной экспертизы, Душанбе (демо)",
        "TJ",
        OrganisationType.FORENSIC_LABORATORY,
    ),
    DemoOrganisation(
        "demo-tj-drug-control",
        "Drug Control Agency, Dushanbe (demo)",
        "Агентство по контролю за наркотиками, Душанбе (демо)",
        "TJ",
        OrganisationType.DRUG_CONTROL_AGENCY,
    ),
    DemoOrganisation(
        "demo-tm-forensic-lab",
        "Forensic Laboratory, Ashgabat (demo)",
        "Судебно-экспертная лаборатория, Ашхабад (демо)",
        "TM",
        OrganisationType.FORENSIC_LABORATORY,
    ),
    DemoOrganisation(
        "demo-uz-forensic-centre",
        "Forensic Examination Centre, Tashkent (demo)",
        "Центр судебной экспертизы, Ташкент (демо)",
        "UZ",
        OrganisationType.FORENSIC_LABORATORY,
    ),
    DemoOrganisation(
        "demo-uz-police",
        "Ministry of Internal Affairs, Tashkent (demo)",
        "Министерство внутренних дел, Ташкент (демо)",
        "UZ",
        OrganisationType.POLICE,
    ),
    DemoOrganisation(
        "demo-regional-centre",
        "Regional coordination centre (demo)",
        "Региональный координационный центр (демо)",
        "KZ",
        OrganisationType.REGIONAL_CENTRE,
    ),
]

#: One user per role; the same names are the test suite's personas.
DEMO_USERS = [
    DemoUser(
        "kz_lab_chemist",
        "demo-kz-forensic-centre",
        Role.DATA_ENTRY,
        "Aigerim",
        "Nurlanova",
        "Forensic chemist",
    ),
    DemoUser(
        "kz_lab_head", "demo-kz-forensic-centre", Role.REVIEWER, "Serik", "Abenov", "Head of laboratory"
    ),
    DemoUser(
        "uz_police_analyst", "demo-uz-police", Role.ANALYST, "Dilshod", "Karimov", "Drug-control analyst"
    ),
    DemoUser("kg_court_viewer", "demo-kg-court", Role.VIEWER, "Aibek", "Toktogulov", "Judge's assistant"),
    DemoUser(
        "kz_lab_admin",
        "demo-kz-forensic-centre",
        Role.ORG_ADMIN,
        "Gulnara",
        "Sadykova",
        "Laboratory administrator",
    ),
    DemoUser("hub_admin", "demo-regional-centre", Role.NODE_ADMIN, "Timur", "Rakhimov", "Node administrator"),
]


@transaction.atomic
def ensure_demo_organisations(actor) -> list[Organisation]:
    """Create the demo organisations that do not exist yet; return all of them."""
    organisations = []
    for demo in DEMO_ORGANISATIONS:
        organisation = Organisation.objects.filter(code=demo.code).first()
        if organisation is None:
            organisation = actions.create_organisation(
                actor,
                code=demo.code,
                name_en=demo.name_en,
                name_ru=demo.name_ru,
                country=Country.objects.get(code=demo.country),
                org_type=demo.org_type,
            )
        organisations.append(organisation)
    return organisations


@transaction.atomic
def ensure_demo_people(actor) -> list[tuple[str, str, str, str]]:
    """Create missing demo organisations and users; return (username, role, password, authenticator secret) of
    the users created now.

    Two-factor sign-in stays required on a demo node: each demo person gets an authenticator whose secret is
    printed with the password (add it to an authenticator app, or ``oathtool --totp -b SECRET``). The demo
    passwords need no change at first sign-in."""
    organisations = {organisation.code: organisation for organisation in ensure_demo_organisations(actor)}
    created = []
    for demo in DEMO_USERS:
        if User.objects.filter(username=demo.username).exists():
            continue
        user, password = actions.create_user(
            actor,
            username=demo.username,
            organisation=organisations[demo.organisation],
            roles=[demo.role],
            must_change_password=False,
            first_name=demo.first_name,
            last_name=demo.last_name,
            position=demo.position,
            email=f"{demo.username}@demo.fdx.invalid",
        )
        secret = actions.provision_two_factor(actor, user)
        created.append((demo.username, str(demo.role), password, secret))
    return created
