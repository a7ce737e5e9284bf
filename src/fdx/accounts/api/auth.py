"""API authentication: bearer tokens (``Authorization: Bearer fdx_…``) and the browser session."""

from __future__ import annotations

from django.conf import settings
from ninja.errors import AuthenticationError
from ninja.security import APIKeyCookie, HttpBearer

from fdx.accounts.actions import TokenRejected, authenticate_token


class TokenAuth(HttpBearer):
    """An API token. A token that is presented but rejected is a 401 naming why (expired, revoked ...)."""

    def authenticate(self, request, token):
        try:
            user = authenticate_token(token)
        except TokenRejected as rejected:
            error = AuthenticationError(401, str(rejected))
            error.code = rejected.code
            raise error from None
        request.user = user
        return user


class SessionAuth(APIKeyCookie):
    """The signed-in browser session, with Django's CSRF check on unsafe methods.

    Skipped when an Authorization header is present, so that a bad token is reported as such rather than
    as a CSRF failure.
    """

    param_name = settings.SESSION_COOKIE_NAME

    def _get_key(self, request):
        if "Authorization" in request.headers:
            return None
        return super()._get_key(request)

    def authenticate(self, request, key):
        if key is None:
            return None
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and user.is_active:
            return user
        return None


token_auth = TokenAuth()
session_auth = SessionAuth()
#: The default for every route; a public route says ``auth=None`` explicitly.
DEFAULT_AUTH = [token_auth, session_auth]
