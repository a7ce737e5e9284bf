"""A deterministic, realistic, clearly labelled demo data set of case records for the five Central Asian
states over the last three years.

What it models (orders of magnitude from UNODC reporting on the region; all records are invented):
methamphetamine crystal, mephedrone and α-PVP powders sold through online shops and dead drops, synthetic
cannabinoids on herbal material (MDMB-4en-PINACA, later ADB-BUTINACA), heroin from the Afghan border with
caffeine and paracetamol and its opium impurities, ecstasy tablets with logos, pharmaceuticals (tramadol,
pregabalin), clandestine laboratories with their precursors, and substances emerging part-way through the
period (N-ethylhexedrone, 3-CMC, α-PHP, ADB-BUTINACA in e-liquids, nitazenes, xylazine). Seizures are
weighted towards the capitals, the large cities and the border regions; most examinations are approved,
the most recent ones are still in the laboratory's workflow.
"""

from __future__ import annotations

import datetime
import math
import random
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _

from fdx.accounts import actions as account_actions
from fdx.accounts.choices import Role
from fdx.accounts.models import Organisation, User
from fdx.examinations.bulk import (
    BulkReport,
    CaseSpec,
    ExhibitSpec,
    FindingSpec,
    load_cases_in_batches,
)
from fdx.examinations.choices import ExaminationStatus
from fdx.examinations.models import AnalyticalMethod, Case
from fdx.geo.models import BorderCrossingPoint, Country, Region
from fdx.substances.models import Substance

DEMO_NOTE = "DEMO DATA — an invented record for trying FDX out; not a real seizure."
YEARS = 3

LABORATORIES = {
    "KZ": "demo-kz-forensic-centre",
    "KG": "demo-kg-forensic-service",
    "TJ": "demo-tj-forensic-centre",
    "TM": "demo-tm-forensic-lab",
    "UZ": "demo-uz-forensic-centre",
}
SUBMITTING_AGENCIES = {
    "KZ": ["demo-kz-police", "demo-kz-customs"],
    "UZ": ["demo-uz-police"],
    "TJ": ["demo-tj-drug-control"],
}
COUNTRY_WEIGHTS = {"KZ": 0.34, "UZ": 0.26, "KG": 0.16, "TJ": 0.14, "TM": 0.10}

#: Cities and border regions weigh more; every other first-level region weighs 1.
REGION_WEIGHTS = {
    "KZ": {
        "KZ-75": 9,
        "KZ-71": 5,
        "KZ-79": 4,
        "KZ-61": 3,
        "KZ-31": 3,
        "KZ-33": 2,
        "KZ-19": 2,
        "KZ-35": 2,
        "KZ-63": 1.5,
    },
    "KG": {"KG-GB": 9, "KG-GO": 4, "KG-C": 3, "KG-O": 3, "KG-J": 2, "KG-B": 2},
    "TJ": {"TJ-DU": 6, "TJ-KT": 5, "TJ-GB": 3, "TJ-SU": 3, "TJ-RA": 2},
    "TM": {"TM-S": 6, "TM-L": 3, "TM-M": 3, "TM-A": 2, "TM-D": 2},
    "UZ": {
        "UZ-TK": 9,
        "UZ-SU": 5,
        "UZ-TO": 3,
        "UZ-SA": 3,
        "UZ-FA": 2,
        "UZ-AN": 2,
        "UZ-NG": 2,
        "UZ-QA": 2,
        "UZ-BU": 2,
    },
}
LOCALITIES = {
    "KZ-75": "Almaty",
    "KZ-71": "Astana",
    "KZ-79": "Shymkent",
    "KZ-61": "Turkistan",
    "KZ-31": "Taraz",
    "KZ-33": "Taldykorgan",
    "KZ-19": "Konaev",
    "KZ-35": "Karaganda",
    "KZ-63": "Oskemen",
    "KZ-10": "Semey",
    "KG-GB": "Bishkek",
    "KG-GO": "Osh",
    "KG-C": "Tokmok",
    "KG-O": "Kara-Suu",
    "KG-J": "Jalal-Abad",
    "KG-B": "Batken",
    "TJ-DU": "Dushanbe",
    "TJ-KT": "Bokhtar",
    "TJ-GB": "Khorog",
    "TJ-SU": "Khujand",
    "TJ-RA": "Vahdat",
    "TM-S": "Ashgabat",
    "TM-L": "Turkmenabat",
    "TM-M": "Mary",
    "TM-A": "Anau",
    "TM-D": "Dashoguz",
    "UZ-TK": "Tashkent",
    "UZ-SU": "Termez",
    "UZ-TO": "Chirchiq",
    "UZ-SA": "Samarkand",
    "UZ-FA": "Fergana",
    "UZ-AN": "Andijan",
    "UZ-NG": "Namangan",
    "UZ-QA": "Qarshi",
    "UZ-BU": "Bukhara",
}
LEVELS = [("regional", 0.5), ("national", 0.3), ("organisation", 0.12), ("international", 0.08)]
TABLET_LOGOS = ["Tesla", "Philipp Plein", "Superman", "Punisher", "Red Bull", "Rolex", "Domino's", "Heineken"]
TABLET_COLOURS = ["pink", "blue", "orange", "green", "yellow", "purple"]


@dataclass(frozen=True)
class Profile:
    """One kind of seizure: what is found, in which form, how pure, where, and when it circulates."""

    name: str
    substances: tuple[str, ...]  # reference keys; one is drawn
    weight: float
    forms: tuple[str, ...]
    colours: tuple[str, ...]
    purity: tuple[float, float] | None  # content range (%); None: qualitative
    countries: dict[str, float]
    start: float = 0.0  # share of the period after which it appears
    end: float = 1.0
    rising: bool = False
    border_share: float = 0.12
    online_share: float = 0.2
    clandestine: bool = False
    tablets: bool = False
    extras: tuple[tuple[str, str, float], ...] = ()  # (key, role, probability)
    extra_options: dict = field(default_factory=dict)


PROFILES = (
    Profile(
        "methamphetamine crystal",
        ("methamphetamine-hydrochloride",),
        0.18,
        ("crystal",),
        ("colourless", "white"),
        (55, 85),
        {"KZ": 3, "KG": 2.5, "UZ": 2, "TJ": 1.5, "TM": 1},
        extras=(("dimethyl-sulfone", "cutting_agent", 0.15),),
    ),
    Profile(
        "mephedrone powder",
        ("mephedrone-hydrochloride",),
        0.2,
        ("powder", "crystal"),
        ("white", "off-white"),
        (40, 85),
        {"KZ": 5.5, "KG": 2, "UZ": 1.5, "TJ": 0.5, "TM": 0.5},
        online_share=0.45,
    ),
    Profile(
        "alpha-PVP",
        ("alpha-pvp-hydrochloride",),
        0.1,
        ("crystal", "powder"),
        ("white", "colourless"),
        (50, 90),
        {"KZ": 4, "UZ": 2, "KG": 1.5, "TJ": 0.5, "TM": 0.5},
        online_share=0.45,
    ),
    Profile(
        "new cathinones",
        ("n-ethylhexedrone", "alpha-php"),
        0.05,
        ("powder", "crystal"),
        ("white", "beige"),
        (45, 90),
        {"KZ": 4, "UZ": 1.5, "KG": 1.5},
        start=0.15,
        online_share=0.5,
        rising=True,
    ),
    Profile(
        "3-CMC",
        ("3-cmc",),
        0.04,
        ("powder",),
        ("white",),
        (50, 92),
        {"KZ": 3, "KG": 1, "UZ": 1},
        start=0.55,
        online_share=0.5,
        rising=True,
    ),
    Profile(
        "synthetic cannabinoids (early)",
        ("mdmb-4en-pinaca", "5f-mdmb-pica"),
        0.1,
        ("herbal_mixture",),
        ("green", "brown"),
        None,
        {"KZ": 3, "UZ": 3, "KG": 2, "TJ": 1, "TM": 0.5},
        end=0.7,
        online_share=0.35,
    ),
    Profile(
        "synthetic cannabinoids (ADB-BUTINACA)",
        ("adb-butinaca",),
        0.09,
        ("herbal_mixture", "e_liquid"),
        ("green", "brown", "colourless"),
        None,
        {"KZ": 3, "UZ": 3, "KG": 2, "TJ": 1},
        start=0.35,
        rising=True,
        online_share=0.4,
    ),
    Profile(
        "heroin",
        ("heroin", "heroin-hydrochloride"),
        0.12,
        ("powder",),
        ("brown", "beige", "grey"),
        (20, 65),
        {"TJ": 4, "UZ": 2.5, "KG": 1.5, "KZ": 1.5, "TM": 1},
        border_share=0.35,
        online_share=0.05,
        extras=(
            ("caffeine", "cutting_agent", 0.7),
            ("paracetamol", "cutting_agent", 0.55),
            ("6-monoacetylmorphine", "impurity", 0.8),
            ("acetylcodeine", "impurity", 0.6),
            ("noscapine", "impurity", 0.5),
            ("papaverine", "impurity", 0.4),
        ),
    ),
    Profile(
        "heroin with xylazine",
        ("heroin-hydrochloride",),
        0.01,
        ("powder",),
        ("brown",),
        (15, 45),
        {"TJ": 2, "UZ": 2, "KZ": 1},
        start=0.8,
        rising=True,
        border_share=0.3,
        extras=(("xylazine", "adulterant", 1.0), ("caffeine", "cutting_agent", 0.6)),
    ),
    Profile(
        "nitazenes",
        ("protonitazene", "isotonitazene", "metonitazene"),
        0.012,
        ("powder", "tablet"),
        ("white", "blue"),
        (1, 12),
        {"KZ": 2, "UZ": 1, "KG": 1},
        start=0.7,
        rising=True,
        online_share=0.5,
        extras=(("paracetamol", "cutting_agent", 0.4),),
    ),
    Profile(
        "ecstasy tablets",
        ("mdma-hydrochloride",),
        0.06,
        ("tablet",),
        TABLET_COLOURS,
        (25, 55),
        {"KZ": 3, "UZ": 1.5, "KG": 1},
        tablets=True,
        online_share=0.3,
        extras=(("caffeine", "adulterant", 0.15),),
    ),
    Profile(
        "amphetamine",
        ("amphetamine-sulfate",),
        0.03,
        ("powder", "paste"),
        ("white", "pink"),
        (8, 40),
        {"KZ": 2, "KG": 1},
        extras=(("caffeine", "cutting_agent", 0.8),),
    ),
    Profile(
        "cocaine",
        ("cocaine-hydrochloride",),
        0.02,
        ("powder",),
        ("white",),
        (40, 85),
        {"KZ": 2, "UZ": 1},
        border_share=0.2,
        extras=(
            ("levamisole", "adulterant", 0.5),
            ("phenacetin", "cutting_agent", 0.3),
            ("lidocaine", "adulterant", 0.2),
        ),
    ),
    Profile(
        "tramadol",
        ("tramadol-hydrochloride",),
        0.03,
        ("tablet", "capsule"),
        ("white", "yellow"),
        (30, 60),
        {"UZ": 3, "TJ": 2, "KG": 1, "TM": 1},
        tablets=True,
        online_share=0.1,
    ),
    Profile(
        "pregabalin",
        ("pregabalin",),
        0.02,
        ("capsule",),
        ("white", "red"),
        (30, 70),
        {"UZ": 2, "KZ": 1, "TJ": 1},
        tablets=True,
        online_share=0.1,
    ),
    Profile(
        "clandestine laboratory precursors",
        ("1-phenyl-2-propanone", "ephedrine", "1-phenyl-2-nitropropene", "alpha-phenylacetoacetonitrile"),
        0.02,
        ("liquid", "powder", "crystal"),
        ("yellow", "colourless", "white"),
        (80, 99),
        {"KZ": 2, "KG": 1.5, "UZ": 1},
        clandestine=True,
    ),
)


@dataclass
class DemoContext:
    labs: dict[str, Organisation]
    staff: dict[str, tuple[User, User]]
    agencies: dict[str, list[Organisation]]
    countries: dict[str, Country]
    regions: dict[str, list[Region]]
    crossings: dict[str, list[BorderCrossingPoint]]
    substances: dict[str, Substance]
    methods: dict[str, AnalyticalMethod]


def load_demo_cases(actor, *, cases: int, seed: int) -> int:
    """Create ``cases`` demo cases (deterministic for a seed), unless demo cases exist already."""
    return load_demo_cases_in_batches(actor, cases=cases, seed=seed).written


def load_demo_cases_in_batches(
    actor,
    *,
    cases: int,
    seed: int,
    batch_size: int = 5000,
    on_batch: Callable[[int, int], None] | None = None,
) -> BulkReport:
    """Create ``cases`` demo cases through the batched bulk path (``load_cases_in_batches``): generated
    lazily, checked and written batch by batch, one audit event per batch. Nothing when demo cases exist."""
    if Case.objects.filter(is_demo=True).exists():
        return BulkReport(0)
    context = _context(actor)
    specs = iter_generate(context, cases=cases, seed=seed, today=timezone.localdate())
    return load_cases_in_batches(actor, specs, batch_size=batch_size, on_batch=on_batch)


def not_a_demo_node() -> str | None:
    """Why this node is not one to fill with demo data (a production node, or one holding real cases);
    None when it is a demo node."""
    if settings.FDX_MODE == "production":
        return _("This node runs in production mode (FDX_MODE=production).")
    if Case.with_tombstones().filter(is_demo=False).exists():
        return _("This node holds cases that are not demo data.")
    return None


def generate(context: DemoContext, *, cases: int, seed: int, today: datetime.date) -> list[CaseSpec]:
    """The demo case records (pure: the same context, count, seed and day give the same records)."""
    return list(iter_generate(context, cases=cases, seed=seed, today=today))


def iter_generate(context: DemoContext, *, cases: int, seed: int, today: datetime.date) -> Iterator[CaseSpec]:
    """The demo case records one by one, the same as ``generate`` gives, without holding them all."""
    rng = random.Random(seed)  # noqa: S311 (reproducible demo data, not security)
    start = today - datetime.timedelta(days=365 * YEARS)
    counters: dict[tuple[str, int], int] = {}
    for _row in range(cases):
        offset = rng.random() ** 0.85  # a little more recent data than old: reporting grows
        seizure_date = start + datetime.timedelta(days=int(offset * (today - start).days))
        share = (seizure_date - start).days / max((today - start).days, 1)
        profile = _choose_profile(rng, share)
        country = _weighted(
            rng, {c: COUNTRY_WEIGHTS[c] * profile.countries.get(c, 0.05) for c in COUNTRY_WEIGHTS}
        )
        yield _case(rng, context, profile, country, seizure_date, today, counters)


def _choose_profile(rng, share: float) -> Profile:
    weights = {}
    for index, profile in enumerate(PROFILES):
        if not profile.start <= share <= profile.end:
            continue
        ramp = (share - profile.start) / max(1 - profile.start, 0.01) if profile.rising else 1
        weights[index] = profile.weight * (0.3 + 0.7 * ramp if profile.rising else 1)
    return PROFILES[_weighted(rng, weights)]


def _case(
    rng, context: DemoContext, profile: Profile, country: str, seizure_date, today, counters
) -> CaseSpec:
    lab = context.labs[country]
    examiner, reviewer = context.staff[country]
    region = _region(rng, context, country, seizure_date)
    seizure_context = _seizure_context(rng, profile, seizure_date, today)
    crossing = None
    if seizure_context == "border" and context.crossings.get(country):
        crossing = rng.choice(context.crossings[country])
        region = crossing.region if crossing.region and crossing.region.is_valid_on(seizure_date) else region
    year = seizure_date.year
    counters[(country, year)] = counters.get((country, year), 0) + 1
    agencies = context.agencies.get(country, [])
    exhibits = [
        _exhibit(rng, context, profile, str(label), seizure_context, seizure_date, today)
        for label in range(1, 1 + _exhibit_count(rng, seizure_context))
    ]
    return CaseSpec(
        owner=lab,
        examiner=examiner,
        reviewer=reviewer,
        reference=f"DEMO-{country}-{year}-{counters[(country, year)]:05d}",
        seizure_date=seizure_date,
        seizure_country=context.countries[country],
        seizure_region=region,
        locality=LOCALITIES.get(region.code, "") if region else "",
        seizure_context=seizure_context,
        distribution_level=_weighted(rng, dict(LEVELS)),
        description=DEMO_NOTE,
        border_crossing_point=crossing,
        submitting_agency=rng.choice(agencies) if agencies and rng.random() < 0.7 else None,
        agency_case_number=f"{rng.randint(1, 9999):04d}/{year % 100:02d}",
        is_demo=True,
        exhibits=exhibits,
    )


def _region(rng, context, country, seizure_date):
    candidates = [r for r in context.regions[country] if r.is_valid_on(seizure_date)]
    weights = REGION_WEIGHTS.get(country, {})
    return _weighted(rng, {region: weights.get(region.code, 1.0) for region in candidates})


def _seizure_context(rng, profile: Profile, seizure_date, today) -> str:
    if profile.clandestine:
        return "clandestine_laboratory" if rng.random() < 0.9 else "internal"
    roll = rng.random()
    growth = 1 + 0.5 * ((seizure_date - (today - datetime.timedelta(days=365 * YEARS))).days / (365 * YEARS))
    online = profile.online_share * growth
    if roll < profile.border_share:
        return "border"
    if roll < profile.border_share + 0.06:
        return "postal"
    if roll < profile.border_share + 0.06 + online:
        return "online_purchase"
    return "internal"


def _exhibit_count(rng, seizure_context) -> int:
    if seizure_context in ("border", "clandestine_laboratory"):
        return rng.choice((1, 1, 2, 3))
    return rng.choice((1, 1, 1, 2))


def _exhibit(rng, context, profile: Profile, label, seizure_context, seizure_date, today) -> ExhibitSpec:
    form = rng.choice(profile.forms)
    exhibit = ExhibitSpec(label=label, form=form, colour=rng.choice(profile.colours))
    if profile.tablets or form in ("tablet", "capsule"):
        units = max(1, int(math.exp(rng.gauss(math.log(_median_mass(seizure_context) * 15), 1.3))))
        unit_mass = Decimal(str(round(rng.uniform(0.25, 0.45), 3)))
        exhibit.unit_count = units
        exhibit.net_mass_g = (unit_mass * units).quantize(Decimal("0.001"))
        if form == "tablet":
            exhibit.diameter_mm = Decimal(str(round(rng.uniform(7.5, 10.5), 1)))
            exhibit.logo = rng.choice(TABLET_LOGOS) if profile.name == "ecstasy tablets" else ""
    else:
        exhibit.net_mass_g = Decimal(
            str(round(math.exp(rng.gauss(math.log(_median_mass(seizure_context)), 1.3)), 3))
        )
    exhibit.net_mass_g = max(exhibit.net_mass_g, Decimal("0.010"))
    exhibit.gross_mass_g = (exhibit.net_mass_g * Decimal(str(round(rng.uniform(1.02, 1.25), 3)))).quantize(
        Decimal("0.001")
    )
    exhibit.packaging = rng.choice(("zip bag", "foil", "paper wrap", "plastic bottle", "taped package"))
    exhibit.received_date = seizure_date + datetime.timedelta(days=rng.randint(0, 7))
    exhibit.completed_date = exhibit.received_date + datetime.timedelta(days=rng.randint(3, 30))
    exhibit.status = ExaminationStatus.APPROVED
    if exhibit.received_date > today:
        exhibit.received_date = today
    if exhibit.completed_date > today:
        exhibit.completed_date = None
        exhibit.status = rng.choice((ExaminationStatus.DRAFT, ExaminationStatus.SUBMITTED))
    exhibit.methods = _methods(rng, context, profile)
    exhibit.findings = _findings(rng, context, profile)
    if exhibit.status == ExaminationStatus.SUBMITTED and exhibit.completed_date is None:
        exhibit.completed_date = exhibit.received_date
    main = exhibit.findings[0]
    content = f", {main.purity_percent} %" if main.purity_percent is not None else ""
    exhibit.conclusion = f"Exhibit {label} contains {main.substance.name_en}{content}."
    return exhibit


def _median_mass(seizure_context) -> float:
    return {
        "internal": 1.0,
        "online_purchase": 1.5,
        "postal": 40.0,
        "border": 600.0,
        "clandestine_laboratory": 2500.0,
    }[seizure_context]


def _methods(rng, context, profile: Profile) -> list:
    codes = ["gc_ms"]
    if rng.random() < 0.6:
        codes.append("ftir")
    if profile.purity is not None:
        codes.append(rng.choice(("gc_fid", "hplc_uv")))
    if rng.random() < 0.4:
        codes.append("colour_test")
    return [context.methods[code] for code in codes]


def _findings(rng, context, profile: Profile) -> list[FindingSpec]:
    substance = context.substances[rng.choice(profile.substances)]
    if profile.purity is None:
        main = FindingSpec(substance, "qualitative", "main")
    else:
        low, high = profile.purity
        main = FindingSpec(substance, "quantitative", "main", Decimal(str(round(rng.uniform(low, high), 1))))
    findings = [main]
    for key, role, probability in profile.extras:
        if rng.random() < probability:
            findings.append(FindingSpec(context.substances[key], "qualitative", role))
    return findings


def _weighted(rng, weights: dict):
    items = [(item, weight) for item, weight in weights.items() if weight > 0]
    total = sum(weight for _item, weight in items)
    roll = rng.random() * total
    for item, weight in items:
        roll -= weight
        if roll <= 0:
            return item
    return items[-1][0]


def _context(actor) -> DemoContext:
    from fdx.demo.people import ensure_demo_organisations

    organisations = {organisation.code: organisation for organisation in ensure_demo_organisations(actor)}
    keys = {key for profile in PROFILES for key in profile.substances} | {
        key for profile in PROFILES for key, _role, _p in profile.extras
    }
    substances = {s.key: s for s in Substance.objects.filter(key__in=keys)}
    missing = keys - set(substances)
    if missing:
        raise LookupError(f"reference substances missing (run fdx setup): {', '.join(sorted(missing))}")
    regions = {
        country: list(Region.objects.filter(country_id=country, parent__isnull=True).order_by("code"))
        for country in LABORATORIES
    }
    return DemoContext(
        labs={country: organisations[code] for country, code in LABORATORIES.items()},
        staff={
            country: _demo_staff(actor, organisations[code], country)
            for country, code in LABORATORIES.items()
        },
        agencies={
            country: [organisations[code] for code in codes] for country, codes in SUBMITTING_AGENCIES.items()
        },
        countries={country.code: country for country in Country.objects.filter(code__in=LABORATORIES)},
        regions=regions,
        crossings={
            country: list(
                BorderCrossingPoint.objects.filter(country_id=country, kind="road")
                .select_related("region")
                .order_by("code")
            )
            for country in LABORATORIES
        },
        substances=substances,
        methods={method.code: method for method in AnalyticalMethod.objects.all()},
    )


def _demo_staff(actor, laboratory: Organisation, country: str) -> tuple[User, User]:
    """An examiner and a reviewer of a demo laboratory (created without a usable password when missing)."""
    if country == "KZ":
        examiner = User.objects.filter(username="kz_lab_chemist").first()
        reviewer = User.objects.filter(username="kz_lab_head").first()
        if examiner and reviewer:
            return examiner, reviewer
    pair = []
    for suffix, role in (("examiner", Role.DATA_ENTRY), ("reviewer", Role.REVIEWER)):
        username = f"{country.lower()}_demo_{suffix}"
        user = User.objects.filter(username=username).first()
        if user is None:
            # The generated password is not printed: demo staff sign demo records; nobody signs in as them.
            user, _password = account_actions.create_user(
                actor, username=username, organisation=laboratory, roles=[role], position=f"Demo {suffix}"
            )
        pair.append(user)
    return pair[0], pair[1]
