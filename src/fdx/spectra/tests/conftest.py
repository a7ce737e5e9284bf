"""The spectra tests keep their search index in a folder of their own, never cached across tests."""

import pytest

from fdx.spectra import index_store


@pytest.fixture(autouse=True)
def spectral_index_folder(settings, tmp_path):
    """Each test's index lives under its own ``VAR_DIR`` and starts from nothing in memory: the test
    database is rolled back (and its ids reused) after each test, so an index kept from another test would
    point at other rows."""
    settings.VAR_DIR = tmp_path / "var"
    index_store.forget_cached_index()
    yield
    index_store.forget_cached_index()
