import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from fdx.audit.models import AuditEvent
from fdx.examinations import actions
from fdx.examinations.models import Case, Finding
from fdx.examinations.tests.builders import add_exhibit, add_meth_finding, draft_examination, open_case
from fdx.geo.models import BorderCrossingPoint, Region

pytestmark = pytest.mark.django_db


def test_a_case_belongs_to_the_recorders_organisation_and_is_audited(persona):
    chemist = persona("kz_lab_chemist")

    case = open_case(chemist)

    assert case.owner_organisation == chemist.organisation
    event = AuditEvent.objects.latest("sequence")
    assert event.action == "examinations.case.opened" and event.after["seizure_region"] == "KZ-75"


@pytest.mark.parametrize(
    ("overrides", "field", "fragment"),
    [
        ({"seizure_date": timezone.localdate() + datetime.timedelta(days=1)}, "seizure_date", "future"),
        ({"seizure_region_code": "UZ-TK"}, "seizure_region", "is not in"),
        (
            {"seizure_region_code": "KZ-10", "seizure_date": datetime.date(2021, 5, 1)},
            "seizure_region",
            "did not exist on 2021-05-01",
        ),
        (
            {"seizure_region_code": "KZ-YUZ", "seizure_date": datetime.date(2019, 5, 1)},
            "seizure_region",
            "no longer existed",
        ),
        ({"latitude": Decimal("43.2")}, "longitude", "both coordinates"),
        ({"latitude": Decimal("95"), "longitude": Decimal("76.9")}, "latitude", ""),
        ({"distribution_level": "sharing_group"}, "sharing_group", "Name the sharing group"),
        ({"crossing": "uz-oybek"}, "border_crossing_point", "not in the country"),
    ],
)
def test_bad_cases_are_refused_with_the_field_named(persona, overrides, field, fragment):
    chemist = persona("kz_lab_chemist")
    if "seizure_region_code" in overrides:
        overrides["seizure_region"] = Region.objects.get(code=overrides.pop("seizure_region_code"))
    if "crossing" in overrides:
        overrides["border_crossing_point"] = BorderCrossingPoint.objects.get(code=overrides.pop("crossing"))
    count = Case.objects.count()

    with pytest.raises(ValidationError) as error:
        open_case(chemist, **overrides)

    assert field in error.value.message_dict
    assert fragment in " ".join(error.value.message_dict[field])
    assert Case.objects.count() == count


def test_a_region_that_existed_on_the_seizure_date_is_accepted(persona):
    case = open_case(
        persona("kz_lab_chemist"),
        seizure_region=Region.objects.get(code="KZ-YUZ"),
        seizure_date=datetime.date(2017, 6, 1),
    )

    assert case.seizure_region.name_en == "South Kazakhstan Region"


def test_former_region_codes_resolve_on_the_seizure_date():
    assert actions.resolve_region_code("KZ-YUZ", "KZ", datetime.date(2019, 1, 1)).code == "KZ-61"
    with pytest.raises(ValidationError):
        actions.resolve_region_code("UZ-TK", "KZ", None)


@pytest.mark.parametrize(
    ("values", "field"),
    [
        ({"gross_mass_g": Decimal("5"), "net_mass_g": Decimal("6")}, "net_mass_g"),
        ({"net_mass_g": Decimal("-1")}, "net_mass_g"),
        ({"unit_count": 0}, "unit_count"),
    ],
)
def test_bad_exhibits_are_refused(persona, values, field):
    chemist = persona("kz_lab_chemist")
    case = open_case(chemist)

    with pytest.raises(ValidationError) as error:
        add_exhibit(chemist, case, **values)

    assert field in error.value.message_dict


def test_examination_dates_are_checked_against_the_seizure(persona):
    chemist = persona("kz_lab_chemist")
    exhibit = add_exhibit(chemist, open_case(chemist))

    with pytest.raises(ValidationError) as early:
        draft_examination(chemist, exhibit, received_date=datetime.date(2025, 3, 1))
    with pytest.raises(ValidationError) as backwards:
        draft_examination(chemist, exhibit, completed_date=datetime.date(2025, 3, 16))

    assert "received before it was seized" in str(early.value)
    assert "completed_date" in backwards.value.message_dict


def test_the_examiner_works_in_the_laboratory(persona):
    chemist = persona("kz_lab_chemist")
    exhibit = add_exhibit(chemist, open_case(chemist))

    with pytest.raises(ValidationError) as error:
        draft_examination(chemist, exhibit, examiner=persona("kg_lab_chemist"))

    assert "examiner" in error.value.message_dict


def test_amounts_follow_purity_net_mass_and_salt_form(persona):
    chemist = persona("kz_lab_chemist")
    exhibit = add_exhibit(chemist, open_case(chemist), net_mass_g=Decimal("10.0"))
    examination = draft_examination(chemist, exhibit)

    finding = add_meth_finding(chemist, examination, purity="70.0")

    assert finding.amount_g == Decimal("7.0000")
    assert finding.base_equivalent_g == Decimal("5.6252")  # 7 g × 0.8036
    actions.update_exhibit(chemist, exhibit, net_mass_g=Decimal("20"), gross_mass_g=Decimal("25"))
    finding.refresh_from_db()
    assert finding.amount_g == Decimal("14.0000")


@pytest.mark.parametrize(
    ("values", "field"),
    [
        ({"result_type": "quantitative"}, "purity_percent"),
        ({"result_type": "qualitative", "purity_percent": Decimal("5")}, "purity_percent"),
        ({"result_type": "quantitative", "purity_percent": Decimal("100.5")}, "purity_percent"),
        ({"result_type": "qualitative"}, "substance"),
    ],
)
def test_bad_findings_are_refused(persona, values, field):
    chemist = persona("kz_lab_chemist")
    examination = draft_examination(chemist, add_exhibit(chemist, open_case(chemist)))
    if field != "substance":
        from fdx.substances.models import Substance

        values["substance"] = Substance.objects.get(key="mephedrone")

    with pytest.raises(ValidationError) as error:
        actions.add_finding(chemist, examination, **values)

    assert field in error.value.message_dict
    assert not Finding.objects.filter(examination=examination).exists()


def test_an_unidentified_substance_is_described(persona):
    chemist = persona("kz_lab_chemist")
    examination = draft_examination(chemist, add_exhibit(chemist, open_case(chemist)))

    finding = actions.add_finding(
        chemist,
        examination,
        unidentified_description="Unknown cathinone, m/z 58 base peak",
        result_type="qualitative",
        role="main",
    )

    assert str(finding) == "Unknown cathinone, m/z 58 base peak"


@pytest.mark.parametrize("name", ["kz_lab_viewer", "uz_police_analyst", "kg_lab_chemist", "kz_lab_admin"])
def test_only_the_owning_laboratorys_recorders_change_a_case(persona, name):
    case = open_case(persona("kz_lab_chemist"))
    events = AuditEvent.objects.count()

    with pytest.raises(PermissionDenied):
        actions.update_case(persona(name), case, locality="Elsewhere")
    with pytest.raises(PermissionDenied):
        actions.add_exhibit(persona(name), case, label="9", form="powder")

    case.refresh_from_db()
    assert case.locality == "Almaty" and case.exhibits.count() == 0
    assert AuditEvent.objects.count() == events


def test_anyone_outside_a_laboratory_role_cannot_open_a_case(persona):
    with pytest.raises(PermissionDenied):
        open_case(persona("uz_police_analyst"))


def test_exhibits_with_examinations_stay(persona):
    chemist = persona("kz_lab_chemist")
    exhibit = add_exhibit(chemist, open_case(chemist))
    draft_examination(chemist, exhibit)

    with pytest.raises(ValidationError):
        actions.remove_exhibit(chemist, exhibit)


def test_the_analytical_methods_are_loaded_once_and_a_second_load_writes_and_audits_nothing():
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from fdx.core.actors import system
    from fdx.examinations.methods import METHODS
    from fdx.examinations.models import AnalyticalMethod

    # Given a node where one shipped method is missing
    AnalyticalMethod.objects.filter(code="melting_point").delete()
    last = AuditEvent.objects.latest("sequence").sequence

    # When the methods are loaded, and loaded again
    first = actions.load_analytical_methods(system("setup"))
    with CaptureQueriesContext(connection) as queries:
        second = actions.load_analytical_methods(system("setup"))

    # Then the first load created it and audited that once; the second wrote and audited nothing
    [event] = AuditEvent.objects.filter(sequence__gt=last)
    assert first == {"created": 1, "updated": 0, "unchanged": len(METHODS) - 1}
    assert second == {"created": 0, "updated": 0, "unchanged": len(METHODS)}
    assert AnalyticalMethod.objects.get(code="melting_point").name_ru == "Температура плавления"
    assert event.action == "examinations.methods.loaded" and event.actor_username == "setup"
    assert event.before == {} and event.after == {
        "melting_point": {
            "name_en": "Melting point",
            "name_ru": "Температура плавления",
            "confirmatory": False,
        }
    }
    writes = [q["sql"] for q in queries if q["sql"].split()[0].upper() in ("INSERT", "UPDATE", "DELETE")]
    assert writes == []


def test_a_method_changed_on_the_node_is_put_back_by_the_load_and_audited(persona):
    from fdx.core.actors import system
    from fdx.examinations.models import AnalyticalMethod

    AnalyticalMethod.objects.filter(code="gc_ms").update(name_en="GC-MS (ours)", confirmatory=False)
    last = AuditEvent.objects.latest("sequence").sequence

    counts = actions.load_analytical_methods(system("setup"))

    [event] = AuditEvent.objects.filter(sequence__gt=last)
    method = AnalyticalMethod.objects.get(code="gc_ms")
    assert counts["updated"] == 1 and counts["created"] == 0
    assert method.name_en == "Gas chromatography–mass spectrometry (GC-MS)" and method.confirmatory is True
    assert event.before == {"gc_ms": {"name_en": "GC-MS (ours)", "confirmatory": False}}
    assert event.after == {
        "gc_ms": {"name_en": "Gas chromatography–mass spectrometry (GC-MS)", "confirmatory": True}
    }
    with pytest.raises(PermissionDenied):
        actions.load_analytical_methods(persona("hub_admin"))
