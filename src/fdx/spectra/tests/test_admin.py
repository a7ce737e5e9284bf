"""The read-only admin pages of libraries and spectra show an administrator only what their organisation
may see."""

import pytest

from fdx.spectra.tests.builders import imported_library

pytestmark = pytest.mark.django_db


def test_admin_lists_only_the_libraries_and_spectra_the_administrator_may_see(client, persona, tmp_path):
    # Given a Kazakh laboratory's own library and a Kyrgyz laboratory's internationally shared one
    own = imported_library(persona("kz_lab_head"), tmp_path, name="KZ in-house")
    shared = imported_library(persona("kg_lab_head"), tmp_path, name="KG shared", level="international")

    # When the regional centre's node administrator opens the admin lists
    client.force_login(persona("hub_admin"))
    libraries = client.get("/admin/spectra/spectrallibrary/").content.decode()
    spectra = client.get("/admin/spectra/spectrum/")
    detail = client.get(f"/admin/spectra/spectrallibrary/{own.pk}/change/")

    # Then only the shared library and its spectra are there, and the other is not found
    assert "KG shared" in libraries
    assert "KZ in-house" not in libraries
    assert {str(spectrum.library) for spectrum in spectra.context["cl"].result_list} == {str(shared)}
    assert detail.status_code in (302, 404)
