"""API authentication: bearer tokens (``Authorization: Bearer fdx_…``) and the browser session."""

from __future__ import annotations

from django.conf import settings
from ninja.errors import AuthenticationError, Throttled
from ninja.security import APIKeyCookie, HttpBearer

from fdx.accounts import throttling
from fdx.accounts.actions import TokenRejected, TokenThrottled, authenticate_token


class TokenAuth(HttpBearer):
    """An API token. A token that is presented but rejected is a 401 naming why (expired, revoked ...).

    An address that presents ``FDX_TOKEN_FAILURE_LIMIT`` rejected tokens within the window is answered 429
    with Retry-After until the window ends, whatever token it presents (so that tokens cannot be guessed).
    """

    def authenticate(self, request, token):
        try:
            user = authenticate_token(token, address=throttling.client_address(request))
        except TokenThrottled as throttled:
            raise Throttled(throttled.wait) from None
        except TokenRejected as rejected:
            throttling.note_token_failure(request)
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
