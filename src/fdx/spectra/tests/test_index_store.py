"""The search index kept on disk: built from the database, written atomically, rebuilt when damaged."""

import pytest

from fdx.spectra import index_store
from fdx.spectra.models import Spectrum
from fdx.spectra.tests.builders import imported_library

pytestmark = pytest.mark.django_db


def test_the_index_is_written_without_leaving_temporary_files(persona, tmp_path):
    imported_library(persona("kz_lab_head"), tmp_path)

    index = index_store.current_index()

    folder = index_store.index_path().parent
    assert [path.name for path in folder.iterdir()] == ["ei-index.npz"]
    assert sorted(index.ids.tolist()) == sorted(Spectrum.objects.values_list("pk", flat=True))


@pytest.mark.parametrize("damage", ["truncated", "not a zip"])
def test_a_damaged_index_file_is_rebuilt_from_the_database(persona, tmp_path, damage):
    # Given an index on disk that was cut short or overwritten
    imported_library(persona("kz_lab_head"), tmp_path)
    index_store.current_index()
    path = index_store.index_path()
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2] if damage == "truncated" else b"garbage")
    index_store.forget_cached_index()

    # When the index is needed again
    index = index_store.current_index()

    # Then it is rebuilt from the database and written anew
    assert len(index) == Spectrum.objects.count() == 6
    index_store.forget_cached_index()
    assert len(index_store.current_index()) == 6
