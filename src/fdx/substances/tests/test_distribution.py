"""Registry substances as distributed records: a substance received from another node is not changed here;
registering or changing one emits ``substances.substance.changed`` naming what changed."""

import uuid

import pytest
from django.core.exceptions import PermissionDenied

from fdx.core.actors import system
from fdx.core.models import OutboxEvent
from fdx.substances import actions
from fdx.substances.actions import SubstanceInput
from fdx.substances.models import Substance

pytestmark = pytest.mark.django_db
NEW_CATHINONE = "CCCCC(NC)C(=O)c1ccc(Cl)cc1"


def test_registering_and_changing_a_substance_tells_the_apps_above(persona):
    admin = persona("hub_admin")
    substance = actions.create_substance(admin, SubstanceInput(name_en="4-Cl-NMH", structure=NEW_CATHINONE))

    actions.update_substance(admin, substance, SubstanceInput(name_en="4-Chloro-N-methylhexedrone"))

    created, changed = OutboxEvent.objects.filter(object_id=str(substance.global_id)).order_by("sequence")
    assert (created.code, created.payload, created.object_version) == (
        "substances.substance.changed",
        {"created": True},
        1,
    )
    assert changed.payload == {"created": False, "changed": ["name_en", "names"]}
    assert changed.object_version == 2


def test_a_received_substance_is_not_changed_here(persona):
    methamphetamine = Substance.objects.get(key="methamphetamine")
    Substance.objects.filter(pk=methamphetamine.pk).update(origin_node=uuid.UUID(int=5), record_version=4)
    methamphetamine.refresh_from_db()

    with pytest.raises(PermissionDenied, match="received from another node"):
        actions.update_substance(system("cli:root"), methamphetamine, SubstanceInput(name_en="Meth"))

    methamphetamine.refresh_from_db()
    assert methamphetamine.name_en == "Methamphetamine" and methamphetamine.record_version == 4


def test_a_file_naming_a_received_substance_adds_no_name_to_it(persona, tmp_path):
    from fdx.substances.transfer import read_substance_file

    methamphetamine = Substance.objects.get(key="methamphetamine")
    Substance.objects.filter(pk=methamphetamine.pk).update(origin_node=uuid.UUID(int=5))
    names = set(methamphetamine.names.values_list("name", flat=True))

    file = tmp_path / "names.csv"
    file.write_text("name_en,smiles\nIce,CNC(C)Cc1ccccc1\n", encoding="utf-8")
    parsed = read_substance_file(file)
    counts = actions.import_substances(persona("hub_admin"), parsed)

    assert counts["received"] == 1 and counts["merged"] == 0
    assert set(methamphetamine.names.values_list("name", flat=True)) == names
