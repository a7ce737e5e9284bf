import pytest
from fdx.spectra import actions
from fdx.spectra.models import Spectrum
from fdx.spectra.tests.builders import *
pytestmark = pytest.mark.django_db
def test_probe(persona, tmp_path):
    head = persona("kz_lab_head")
    a = make_library(head, "A"); b = make_library(head, "B")
    r1 = actions.import_spectra(head, a, write_msp(tmp_path, "one.msp", text="Num Peaks: 2\n58 999\n91 100\n"))
    r2 = actions.import_spectra(head, b, write_msp(tmp_path, "two.msp", text="Num Peaks: 2\n30 999\n44 100\n"))
    print(r1.links, r2.links)
    for s in Spectrum.objects.select_related("substance"):
        print(s.name, s.substance_link, s.substance_id, s.substance.name_en, s.substance.note)
