"""A mapping written as lines on its page: read into a mapping, each unreadable line named, saved for the
laboratory and shown again as it was written."""

import pytest
from django.core.exceptions import ValidationError

from fdx.intake.mapping_text import lines_of, mapping_from_lines
from fdx.intake.models import ImportMapping

pytestmark = pytest.mark.django_db


def test_lines_become_a_mapping_and_a_saved_mapping_its_lines():
    mapping = mapping_from_lines(
        "Вес нетто (мг) = net_mass_g", "net_mass_g = mg", "form: кристаллы = crystal", "соль К = мефедрон"
    )
    assert mapping.columns == {"Вес нетто (мг)": "net_mass_g"}
    assert mapping.units == {"net_mass_g": "mg"}
    assert mapping.values == {"form": {"кристаллы": "crystal"}}
    [(name, global_id)] = mapping.substances.items()
    assert name == "соль К" and global_id


def test_each_unreadable_line_is_named():
    with pytest.raises(ValidationError) as error:
        mapping_from_lines("no equals sign", "", "form = crystal", "x = no such substance anywhere")
    messages = error.value.message_dict
    assert messages["columns"][0].startswith("Line 1")
    assert messages["values"][0].startswith("Line 1")
    assert messages["substances"][0].startswith("Line 1")


def test_the_page_saves_a_mapping_and_shows_it_again(client, persona):
    client.force_login(persona("kz_lab_chemist"))
    saved = client.post(
        "/import/mappings/new/",
        {
            "name": "old-lims",
            "columns": "Вес нетто (мг) = net_mass_g",
            "units": "net_mass_g = mg",
            "values": "",
            "substances": "соль К = мефедрон",
        },
    )
    assert saved.status_code == 302 and saved["Location"].endswith("?mapping=old-lims")
    mapping = ImportMapping.objects.get(name="old-lims")
    assert lines_of(mapping)["units"] == "net_mass_g = mg"
    page = client.get("/import/mappings/old-lims/")
    assert "Вес нетто (мг) = net_mass_g" in page.content.decode()
    refused = client.post("/import/mappings/new/", {"name": "bad", "units": "net_mass_g = pound"})
    assert refused.status_code == 200 and not ImportMapping.objects.filter(name="bad").exists()
