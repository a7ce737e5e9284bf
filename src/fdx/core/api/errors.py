"""One error shape for every API failure: ``{"error": {"code", "message", "fields"}}``, never a traceback."""

from __future__ import annotations

import json
import logging
from http import HTTPStatus

from django.conf import settings
from django.core.exceptions import (
    ObjectDoesNotExist,
    PermissionDenied,
    RequestDataTooBig,
    SuspiciousOperation,
    ValidationError,
)
from django.db import IntegrityError
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse, UnreadablePostError
from django.http.multipartparser import MultiPartParserError
from django.utils.translation import gettext as _
from ninja.errors import AuthenticationError, HttpError, Throttled
from ninja.errors import ValidationError as NinjaValidationError
from ninja.parser import Parser

logger = logging.getLogger("fdx.api")

API_PREFIX = "/api/"

_CODES = {
    400: "bad_request",
    401: "unauthenticated",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    413: "too_large",
    415: "unsupported_media_type",
    422: "invalid",
    429: "too_many_requests",
    500: "internal_error",
    503: "unavailable",
}


#: Where ninja says a value came from: the first part of an error's location.
_SOURCES = {"body", "query", "path", "form", "file", "header", "cookie"}


class ApiError(Exception):
    """An error an endpoint raises on purpose, with its own code and, optionally, field messages."""

    def __init__(self, status: int, code: str, message: str, fields: dict | None = None):
        self.status, self.code, self.message, self.fields = status, code, message, fields or {}
        super().__init__(message)


def error_body(code: str, message: str, fields: dict | None = None) -> dict:
    return {"error": {"code": code, "message": str(message), "fields": fields or {}}}


def error_response(status: int, code: str | None, message: str, fields: dict | None = None) -> JsonResponse:
    return JsonResponse(error_body(code or _CODES.get(status, "error"), message, fields), status=status)


def install(api) -> None:
    """Register FDX's handlers on a NinjaAPI, replacing ninja's default shapes."""
    api.add_exception_handler(ApiError, lambda r, e: error_response(e.status, e.code, e.message, e.fields))
    api.add_exception_handler(NinjaValidationError, _ninja_validation)
    api.add_exception_handler(ValidationError, _django_validation)
    api.add_exception_handler(AuthenticationError, _authentication)
    api.add_exception_handler(Throttled, _throttled)
    api.add_exception_handler(HttpError, _http_error)
    api.add_exception_handler(PermissionDenied, _forbidden)
    api.add_exception_handler(Http404, _not_found)
    api.add_exception_handler(ObjectDoesNotExist, _not_found)
    api.add_exception_handler(IntegrityError, _conflict)
    api.add_exception_handler(RequestDataTooBig, _too_large)
    api.add_exception_handler(MultiPartParserError, _unreadable_body)
    api.add_exception_handler(UnreadablePostError, _unreadable_body)
    api.add_exception_handler(SuspiciousOperation, _unreadable_body)
    api.add_exception_handler(Exception, _internal)


def _ninja_validation(request, exc: NinjaValidationError):
    fields: dict[str, list[str]] = {}
    for error in exc.errors:
        location = [str(part) for part in error.get("loc", ())]
        # The first part is where the value came from (body, query, path, form …), not a field: a field
        # may well be called "form" (an exhibit's), so only that first part is dropped.
        if location and location[0] in _SOURCES:
            location = location[1:]
        # ninja puts the parameter's own name first for body payloads ("payload", "data"); drop it.
        if len(location) > 1 and location[0] in ("payload", "data", "filters"):
            location = location[1:]
        # An explicit null where the field takes none: say so, in the user's language, not pydantic's words.
        refused_null = error.get("null", False)
        message = _("This field cannot be null.") if refused_null else error.get("msg", "invalid")
        fields.setdefault(".".join(location) or "non_field", []).append(message)
    return error_response(422, "invalid", _("The request is not valid."), fields)


def _django_validation(request, exc: ValidationError):
    if hasattr(exc, "error_dict"):
        fields = {
            ("non_field" if key == "__all__" else key): [str(m) for m in ValidationError(value).messages]
            for key, value in exc.error_dict.items()
        }
    else:
        fields = {"non_field": [str(message) for message in exc.messages]}
    return error_response(422, "invalid", _("The request is not valid."), fields)


def _authentication(request, exc: AuthenticationError):
    code = getattr(exc, "code", None) or "unauthenticated"
    message = exc.message if exc.message != "Unauthorized" else _("Authentication is required.")
    response = error_response(401, code, message)
    response["WWW-Authenticate"] = 'Bearer realm="fdx"'
    return response


def _throttled(request, exc: Throttled):
    response = error_response(429, "too_many_requests", _("Too many requests; try again later."))
    if getattr(exc, "wait", None):
        response["Retry-After"] = str(int(exc.wait))
    return response


def _forbidden(request, exc):
    message = str(exc) or _("You do not have permission to do this.")
    return error_response(403, "forbidden", message)


def _not_found(request, exc):
    return error_response(404, "not_found", _("Not found."))


def _conflict(request, exc):
    logger.warning("integrity error on %s: %s", request.path, exc)
    return error_response(409, "conflict", _("The change conflicts with existing data."))


def _too_large(request, exc):
    """A body over ``DATA_UPLOAD_MAX_MEMORY_SIZE`` (Django refuses to read it): 413, naming the limit."""
    message = _("The request body is larger than %(mib)s MiB; send a smaller one.") % {
        "mib": settings.DATA_UPLOAD_MAX_MEMORY_SIZE // 2**20
    }
    return error_response(413, "too_large", message)


def _unreadable_body(request, exc):
    """A body Django cannot read (a multipart body without its boundary, a broken upload, too many fields):
    the client's fault, 400."""
    logger.info("unreadable body on %s %s: %s", request.method, request.path, exc)
    if isinstance(exc, MultiPartParserError):
        message = _("The multipart body cannot be read: it needs its boundary and well-formed parts.")
    else:
        message = _("The request body cannot be read.")
    return error_response(400, "bad_request", message)


def _http_error(request, exc: HttpError):
    """ninja's own refusals; a body that is not JSON, or not a JSON object, is told apart (the parser's
    error is the cause ninja wraps)."""
    cause = exc.__cause__
    if isinstance(cause, ApiError):
        return error_response(cause.status, cause.code, cause.message, cause.fields)
    if isinstance(cause, json.JSONDecodeError):
        message = _("The body is not valid JSON (line %(line)s, column %(column)s).") % {
            "line": cause.lineno,
            "column": cause.colno,
        }
        return error_response(400, "bad_request", message)
    if isinstance(cause, UnicodeDecodeError):
        return error_response(400, "bad_request", _("The body is not UTF-8 text."))
    return error_response(exc.status_code, None, str(exc))


def _internal(request, exc):
    logger.exception("unhandled error on %s %s", request.method, request.path)
    return error_response(
        500,
        "internal_error",
        _("Internal error. Quote request %(id)s to your administrator.")
        % {"id": getattr(request, "request_id", "")},
    )


class JsonObjectParser(Parser):
    """ninja's parser, but a JSON body must be an object (every FDX body is one; an array or a number was
    read as an empty object: a PATCH that changed nothing and said so with 200), and a parameter that takes
    one value is given once (ninja kept the last of ``?q=a&q=b`` without a word)."""

    def parse_querydict(self, data, list_fields, request):
        repeated = sorted(key for key in data if key not in list_fields and len(data.getlist(key)) > 1)
        if repeated:
            message = _("Give this parameter once.")
            raise ApiError(
                422, "invalid", _("The request is not valid."), {key: [message] for key in repeated}
            )
        return super().parse_querydict(data, list_fields, request)

    def parse_body(self, request):
        data = json.loads(request.body)
        if not isinstance(data, dict):
            message = _("The body must be a JSON object.")
            raise ApiError(422, "invalid", message, {"non_field": [message]})
        return data


class ApiErrorShapeMiddleware:
    """Give failures that happen outside the ninja views (unknown route, wrong method, a crash before the
    view) the same JSON error shape under ``/api/``."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if not request.path.startswith(API_PREFIX) or response.status_code < 400:
            return response
        if response.get("Content-Type", "").startswith("application/json") and _is_error_shape(response):
            return response
        status = response.status_code
        reshaped = error_response(
            status, None, HTTPStatus(status).phrase if status in HTTPStatus._value2member_map_ else "Error"
        )
        for header in ("Allow", "WWW-Authenticate", "Retry-After", "X-Request-ID"):
            if header in response:
                reshaped[header] = response[header]
        return reshaped


def _is_error_shape(response) -> bool:
    try:
        body = json.loads(response.content)
    except (ValueError, AttributeError):
        return False
    return isinstance(body, dict) and isinstance(body.get("error"), dict) and "code" in body["error"]
