"""The spectra tests keep their search index in a folder of their own, never cached across tests."""

import pytest


@pytest.fixture(autouse=True)
def _index_of_their_own(spectral_index_folder):
    """Every spectra test uses the root conftest's ``spectral_index_folder``."""
