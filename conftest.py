"""Fixtures shared by every test: roles and reference geography once per database, personas, API clients."""

from __future__ import annotations

import pytest


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """Roles and the reference geography are loaded once; each test then runs in a rolled-back transaction."""
    from fdx.accounts.roles import sync_roles
    from fdx.core.actors import system
    from fdx.geo.actions import load_reference_geography

    with django_db_blocker.unblock():
        sync_roles()
        load_reference_geography(system("test-setup"))


@pytest.fixture
def persona(db):
    """``persona("kz_lab_chemist")`` returns that user, creating them (and their organisation) on first use."""
    from fdx.core.testing.personas import persona as make

    return make


@pytest.fixture
def api(client):
    """A Django test client for the JSON API: ``api.get(path, user=...)``, ``api.post(path, json, user=...)``."""
    return ApiClient(client)


class ApiClient:
    prefix = "/api/v1"

    def __init__(self, client):
        self.client = client

    def _headers(self, user=None, token=None):
        if token is None and user is not None:
            token = _token_for(user)
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


def _token_for(user) -> str:
    cached = getattr(user, "_test_api_token", None)
    if cached:
        return cached
    from fdx.accounts.actions import create_api_token
    from fdx.core.actors import system

    _row, secret = create_api_token(system("test"), user, name="test")
    user._test_api_token = secret
    return secret
