"""The trigram index operation: made and dropped on PostgreSQL, nothing on SQLite (which still migrates)."""

from types import SimpleNamespace

import pytest
from django.db import connection
from django.db.migrations.loader import MigrationLoader

from fdx.core.migration_operations import AddTrigramIndex

pytestmark = pytest.mark.django_db

OPERATION = AddTrigramIndex("spectrum", "name", "test_spectrum_name_trgm", upper=True)


def _indexes() -> dict:
    with connection.cursor() as cursor:
        return connection.introspection.get_constraints(cursor, "spectra_spectrum")


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the index is PostgreSQL's")
def test_the_trigram_index_is_created_and_dropped_on_postgresql():
    state = MigrationLoader(connection).project_state(("spectra", "0005_trigram_search"))

    with connection.schema_editor() as editor:
        OPERATION.database_forwards("spectra", editor, state, state)
    created = _indexes().get("test_spectrum_name_trgm")
    with connection.schema_editor() as editor:
        OPERATION.database_backwards("spectra", editor, state, state)

    assert created and created["type"] == "gin"
    assert "test_spectrum_name_trgm" not in _indexes()
    assert "spectrum_name_trgm" in _indexes()  # the migration's own


@pytest.mark.skipif(connection.vendor == "postgresql", reason="SQLite's side")
def test_the_trigram_index_is_nothing_on_another_database():
    def refuse(*_args, **_kwargs):
        raise AssertionError("no statement on a database without pg_trgm")

    editor = SimpleNamespace(connection=connection, execute=refuse, add_index=refuse, remove_index=refuse)

    OPERATION.database_forwards("spectra", editor, None, None)
    OPERATION.database_backwards("spectra", editor, None, None)

    assert "spectrum_name_trgm" not in _indexes()


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the index is PostgreSQL's")
def test_a_gist_trigram_index_when_asked():
    gist = AddTrigramIndex("spectrum", "name", "test_spectrum_name_gist", method="gist")
    state = MigrationLoader(connection).project_state(("spectra", "0005_trigram_search"))

    with connection.schema_editor() as editor:
        gist.database_forwards("spectra", editor, state, state)
    created = _indexes().get("test_spectrum_name_gist")
    with connection.schema_editor() as editor:
        gist.database_backwards("spectra", editor, state, state)

    assert created and created["type"] == "gist"
    assert "test_spectrum_name_gist" not in _indexes()
    assert gist.deconstruct()[2]["method"] == "gist" and "method" not in OPERATION.deconstruct()[2]
    with pytest.raises(ValueError):
        AddTrigramIndex("spectrum", "name", "x", method="brin")
