"""Fixtures shared by every test: roles and reference geography once per database, personas, API clients."""

from __future__ import annotations

import pytest


def pytest_configure(config):
    """Compile the translation catalogues first, so that the tests see the committed Russian."""
    from fdx.core.i18n import compile_catalogues

    compile_catalogues()


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """Roles and the reference data (geography, substances, legal content) are loaded once per test database;
    each test then runs in a transaction that is rolled back."""
    from fdx.accounts.roles import sync_roles
    from fdx.core.actors import system
    from fdx.examinations.actions import load_analytical_methods
    from fdx.geo.actions import load_reference_geography
    from fdx.legal.actions import load_legal_reference
    from fdx.substances.actions import load_reference_substances

    with django_db_blocker.unblock():
        sync_roles()
        load_reference_geography(system("test-setup"))
        load_reference_substances(system("test-setup"))
        load_analytical_methods(system("test-setup"))
        load_legal_reference(system("test-setup"))
        # The loads' domain events have nothing to reach in a test database (no peer subscribes yet): each
        # test starts with an empty outbox, as the event tests expect.
        from fdx.core.models import EventDelivery, OutboxEvent

        EventDelivery.objects.all().delete()
        OutboxEvent.objects.all().delete()


@pytest.fixture(autouse=True)
def _default_language_after_each_test():
    """A request in Russian activates Russian for the thread (Django's LocaleMiddleware does not reset it):
    put the default language back, so that no test depends on the one before."""
    yield
    from django.utils import translation

    translation.deactivate()


@pytest.fixture
def spectral_index_folder(settings, tmp_path):
    """The spectral search index in a folder of the test's own, starting from nothing in memory: the test
    database is rolled back after each test, so an index kept from another test would point at other
    rows (on PostgreSQL the ids are never reused, so it would miss the new ones)."""
    from fdx.spectra import index_store

    settings.VAR_DIR = tmp_path / "var"
    index_store.forget_cached_index()
    yield
    index_store.forget_cached_index()


@pytest.fixture
def persona(db):
    """``persona("kz_lab_chemist")``: that user, created (with their organisation) on first use."""
    from fdx.testing.personas import persona as make

    return make


@pytest.fixture
def api(client):
    """A test client for the JSON API: ``api.get(path, user=...)``, ``api.post(path, data, user=...)``."""
    return ApiClient(client)


class ApiClient:
    prefix = "/api/v1"

    def __init__(self, client):
        self.client = client
        self.tokens: dict[int, str] = {}

    def token_for(self, user) -> str:
        """One API token per user for the whole test (created, and audited, on first use)."""
        if user.pk not in self.tokens:
            from fdx.accounts.actions import create_api_token
            from fdx.core.actors import system

            _row, self.tokens[user.pk] = create_api_token(system("test"), user, name="test")
        return self.tokens[user.pk]

    def _headers(self, user=None, token=None):
        if token is None and user is not None:
            token = self.token_for(user)
        return {"HTTP_AUTHORIZATION": f"Bearer {token}"} if token else {}

    def get(self, path, user=None, token=None, **params):
        return self.client.get(self.prefix + path, params, **self._headers(user, token))

    def post(self, path, data=None, user=None, token=None):
        return self.client.post(
            self.prefix + path, data or {}, content_type="application/json", **self._headers(user, token)
        )

    def patch(self, path, data=None, user=None, token=None):
        return self.client.patch(
            self.prefix + path, data or {}, content_type="application/json", **self._headers(user, token)
        )

    def put(self, path, data=None, user=None, token=None):
        return self.client.put(
            self.prefix + path, data or {}, content_type="application/json", **self._headers(user, token)
        )

    def delete(self, path, user=None, token=None):
        return self.client.delete(self.prefix + path, **self._headers(user, token))
