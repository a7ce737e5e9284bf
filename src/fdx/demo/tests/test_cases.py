import datetime

import pytest

from fdx.audit.verify import verify_chain
from fdx.core.actors import system
from fdx.demo.cases import _context, generate, load_demo_cases
from fdx.examinations.bulk import BulkRefused, check, record_cases_in_bulk
from fdx.examinations.models import Case, Examination, Finding

pytestmark = pytest.mark.django_db
TODAY = datetime.date(2026, 11, 22)


def summary(specs):
    return [
        (
            s.reference,
            s.seizure_date,
            s.seizure_region.code if s.seizure_region else None,
            [
                (e.form, e.net_mass_g, [(f.substance.key, f.purity_percent) for f in e.findings])
                for e in s.exhibits
            ],
        )
        for s in specs
    ]


def test_the_same_seed_gives_the_same_data_and_another_seed_other_data():
    context = _context(system("setup"))

    first = generate(context, cases=200, seed=7, today=TODAY)
    again = generate(context, cases=200, seed=7, today=TODAY)
    other = generate(context, cases=200, seed=8, today=TODAY)

    assert summary(first) == summary(again)
    assert summary(first) != summary(other)


def test_the_data_is_realistic_and_valid():
    specs = generate(_context(system("setup")), cases=1500, seed=2024, today=TODAY)
    countries = {s.seizure_country.code for s in specs}
    main = [e.findings[0].substance.key for s in specs for e in s.exhibits]
    late = [e.findings[0].substance.key for s in specs if s.seizure_date.year == 2026 for e in s.exhibits]
    early = [
        e.findings[0].substance.key
        for s in specs
        if s.seizure_date < datetime.date(2024, 6, 1)
        for e in s.exhibits
    ]

    assert countries == {"KZ", "KG", "TJ", "TM", "UZ"}
    assert main.count("mephedrone-hydrochloride") > main.count("cocaine-hydrochloride") * 5
    assert "adb-butinaca" in late and "adb-butinaca" not in early  # an emerging substance
    assert all(s.is_demo and s.reference.startswith("DEMO-") for s in specs)
    assert check(specs, TODAY) == []
    for spec in specs:
        assert spec.seizure_region is None or spec.seizure_region.is_valid_on(spec.seizure_date)


def test_loading_writes_the_cases_once_and_audits_each():
    written = load_demo_cases(system("setup"), cases=120, seed=3)

    assert written == 120 and Case.objects.filter(is_demo=True).count() == 120
    assert Examination.objects.filter(status="approved").count() > 100
    finding = (
        Finding.objects.filter(purity_percent__isnull=False).select_related("examination__exhibit").first()
    )
    assert finding.amount_g is not None and finding.base_equivalent_g <= finding.amount_g
    assert load_demo_cases(system("setup"), cases=120, seed=3) == 0
    assert verify_chain().ok


def test_a_bad_record_stops_the_bulk_write():
    specs = generate(_context(system("setup")), cases=5, seed=1, today=TODAY)
    specs[3].reviewer = specs[3].examiner

    with pytest.raises(BulkRefused) as refused:
        record_cases_in_bulk(system("setup"), specs)

    assert {(p.row, p.field) for p in refused.value.problems} == {(4, "reviewer")}
    assert not Case.objects.filter(is_demo=True).exists()
