import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from fdx.audit.models import AuditEvent
from fdx.core.actors import system
from fdx.substances import actions
from fdx.substances.actions import SubstanceInput
from fdx.substances.models import Substance, SubstanceName

pytestmark = pytest.mark.django_db

NEW_CATHINONE = "CCCCC(NC)C(=O)c1ccc(Cl)cc1"  # 4-chloro-N-methylhexedrone, not in the reference set


def test_the_reference_set_is_loaded_with_names_classes_and_salts():
    methamphetamine = Substance.objects.get(key="methamphetamine")
    salt = Substance.objects.get(key="methamphetamine-hydrochloride")

    assert Substance.objects.filter(source="reference").count() >= 600
    assert set(methamphetamine.classes.values_list("code", flat=True)) == {"amphetamines"}
    assert salt.parent == methamphetamine
    assert str(salt.base_conversion_factor) == "0.8036"
    assert {"метамфетамин", "Methamphetamine"} <= set(methamphetamine.names.values_list("name", flat=True))


def test_loading_the_reference_set_again_changes_nothing():
    events = AuditEvent.objects.count()

    counts = actions.load_reference_substances(system("setup"))

    assert counts["created"] == counts["updated"] == 0
    assert AuditEvent.objects.count() == events


def test_create_derives_identifiers_classes_and_is_audited(persona):
    chemist = persona("kz_lab_chemist")

    substance = actions.create_substance(
        chemist,
        SubstanceInput(
            name_en="4-Chloro-N-methylhexedrone",
            name_ru="4-хлор-N-метилгекседрон",
            structure=NEW_CATHINONE,
            synonyms=["4-Cl-NMH"],
        ),
    )

    assert substance.formula == "C13H18ClNO"
    assert substance.inchikey and substance.skeleton == substance.inchikey[:14]
    assert list(substance.classes.values_list("code", flat=True)) == ["cathinones"]
    assert substance.source == "user" and substance.created_by == chemist
    event = AuditEvent.objects.latest("sequence")
    assert (event.action, event.object_id) == ("substances.substance.created", str(substance.global_id))


def test_a_new_salt_brings_its_free_base(persona):
    chemist = persona("kz_lab_chemist")

    salt = actions.create_substance(
        chemist, SubstanceInput(name_en="4-Cl-NMH hydrochloride", name_ru="", structure=NEW_CATHINONE + ".Cl")
    )

    assert salt.parent is not None
    assert salt.parent.name_en == "4-Cl-NMH hydrochloride (free base)"
    assert 0.86 < float(salt.base_conversion_factor) < 0.88
    assert list(salt.classes.values_list("code", flat=True)) == ["cathinones"]


def test_an_existing_structure_is_refused(persona):
    with pytest.raises(ValidationError) as error:
        actions.create_substance(
            persona("kz_lab_chemist"), SubstanceInput(name_en="Meth again", structure="CNC(C)Cc1ccccc1")
        )

    assert "already registered as Methamphetamine" in str(error.value.message_dict["structure"])


@pytest.mark.parametrize(
    ("data", "field"),
    [
        (SubstanceInput(name_en="X", structure="C1CCC"), "structure"),
        (SubstanceInput(name_en="X", structure="CCO", cas_number="64-17-6"), "cas_number"),
        (SubstanceInput(name_en=" ", structure="CCO"), "name_en"),
    ],
)
def test_bad_input_is_named_and_nothing_is_written(persona, data, field):
    count = Substance.objects.count()

    with pytest.raises(ValidationError) as error:
        actions.create_substance(persona("kz_lab_chemist"), data)

    assert field in error.value.message_dict
    assert Substance.objects.count() == count


@pytest.mark.parametrize("name", ["uz_police_analyst", "kz_lab_viewer", "kg_court_viewer"])
def test_only_laboratory_roles_register_substances(persona, name):
    count = Substance.objects.count()

    with pytest.raises(PermissionDenied):
        actions.create_substance(persona(name), SubstanceInput(name_en="X", structure=NEW_CATHINONE))

    assert Substance.objects.count() == count


def test_changing_a_structure_needs_a_reason_and_a_reviewer(persona):
    substance = actions.create_substance(
        persona("kz_lab_chemist"), SubstanceInput(name_en="Typo", structure=NEW_CATHINONE)
    )
    fixed = SubstanceInput(name_en="Fixed", structure="CCCCC(NC)C(=O)c1ccc(Br)cc1")

    with pytest.raises(PermissionDenied):
        actions.update_substance(persona("kz_lab_chemist"), substance, fixed, reason="wrong halogen")
    with pytest.raises(ValidationError):
        actions.update_substance(persona("kz_lab_head"), substance, fixed)
    actions.update_substance(persona("kz_lab_head"), substance, fixed, reason="wrong halogen")

    substance.refresh_from_db()
    assert substance.formula == "C13H18BrNO"
    event = AuditEvent.objects.latest("sequence")
    assert event.reason == "wrong halogen" and "smiles" in event.after


def test_names_are_normalised_for_search(persona):
    substance = actions.create_substance(
        persona("kz_lab_chemist"),
        SubstanceInput(name_en="Test", name_ru="Тест-вещество", structure="CCCCCCCCO"),
    )

    assert SubstanceName.objects.get(substance=substance, language="ru").normalised == "testvesgestvo"
