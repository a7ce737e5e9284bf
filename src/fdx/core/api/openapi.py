"""The OpenAPI document states every operation's failures, in the one error shape, so that a client (and
schemathesis) knows which statuses to expect."""

from __future__ import annotations

from ninja import NinjaAPI
from ninja.errors import ValidationError as NinjaValidationError

ERROR_SCHEMA = {
    "type": "object",
    "title": "Error",
    "required": ["error"],
    "properties": {
        "error": {
            "type": "object",
            "required": ["code", "message", "fields"],
            "properties": {
                "code": {"type": "string", "description": "Stable, for programs (not_found, invalid …)"},
                "message": {"type": "string", "description": "For people, in the request's language"},
                "fields": {
                    "type": "object",
                    "additionalProperties": {"type": "array", "items": {"type": "string"}},
                    "description": "The messages of each field (or non_field) that was refused",
                },
            },
        }
    },
}

ERROR_DESCRIPTIONS = {
    400: "The body cannot be read (not JSON, or a multipart body without its boundary)",
    401: "No valid API token or session (unauthenticated, token_expired, token_revoked …)",
    403: "Signed in, but not allowed to do this",
    404: "No such record, or one you may not see",
    409: "The change conflicts with existing data or with the record's state",
    413: "The body is larger than the node's limit (10 MiB by default)",
    422: "A field, parameter or body was refused; `fields` names each one",
    502: "Another node this one had to ask could not be reached, or refused",
    503: "The database does not answer",
}

_UNSAFE = {"post", "put", "patch", "delete"}


def error_statuses(method: str, operation: dict) -> list[int]:
    """The failures an operation can answer with, from what it takes: authenticated routes refuse
    strangers (401) and the unauthorised (403); anything that names a record can miss it (404); a change
    can conflict (409); a body can be unreadable (400) or too large (413); any input can be refused (422)."""
    has_body = "requestBody" in operation
    has_input = has_body or bool(operation.get("parameters"))
    statuses = set()
    if operation.get("security"):
        statuses |= {401, 403}
    else:
        statuses.add(503)  # the public health check says when the database is down
    if has_input:
        statuses |= {404, 422}
    if has_body:
        statuses |= {400, 413}
    if method in _UNSAFE:
        statuses.add(409)
    statuses |= set(operation.pop(EXTRA_ERRORS, ()))
    return sorted(statuses)


EXTRA_ERRORS = "x-fdx-errors"


def also_answers(*statuses: int) -> dict:
    """``openapi_extra`` for a route that can answer with a status its inputs do not imply (a read that
    conflicts with the record's state: 409)."""
    return {EXTRA_ERRORS: list(statuses)}


def document_errors(schema: dict) -> dict:
    """Add the ``Error`` component and each operation's error responses to a generated document."""
    schema.setdefault("components", {}).setdefault("schemas", {})["Error"] = ERROR_SCHEMA
    reference = {"$ref": "#/components/schemas/Error"}
    for item in schema.get("paths", {}).values():
        for method, operation in item.items():
            responses = operation.setdefault("responses", {})
            for status in error_statuses(method, operation):
                if str(status) in responses:
                    continue
                responses.setdefault(
                    status,  # ninja's keys are numbers (they become strings in the JSON)
                    {
                        "description": ERROR_DESCRIPTIONS[status],
                        "content": {"application/json": {"schema": reference}},
                    },
                )
    return schema


class FdxNinjaAPI(NinjaAPI):
    """ninja's API whose OpenAPI document lists each operation's error responses, and whose validation
    errors say when the value refused was an explicit null."""

    def get_openapi_schema(self, *, path_prefix=None, path_params=None):
        return document_errors(super().get_openapi_schema(path_prefix=path_prefix, path_params=path_params))

    def validation_error_from_error_contexts(self, error_contexts):
        # ninja drops each error's input (it may be large or secret); keep only whether it was null, so that
        # the message can say "cannot be null" rather than pydantic's "should be a valid string".
        errors = []
        for context in error_contexts:
            model = context.model
            for error in context.pydantic_validation_error.errors(include_url=False):
                error["loc"] = (
                    model.__ninja_param_source__,
                    *model.__ninja_flatten_map_reverse__.get(error["loc"], error["loc"]),
                )
                error["null"] = error.pop("input", ...) is None and error["type"] != "missing"
                if "ctx" in error and isinstance(error["ctx"].get("error"), Exception):
                    error["ctx"]["error"] = str(error["ctx"]["error"])
                errors.append(dict(error))
        return NinjaValidationError(errors)
