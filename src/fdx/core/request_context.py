"""The current request's identifier and client address, available to the audit chain and to logs."""

from __future__ import annotations

import contextvars
from dataclasses import dataclass


@dataclass(frozen=True)
class RequestContext:
    request_id: str = ""
    ip_address: str | None = None


_EMPTY = RequestContext()
_current: contextvars.ContextVar[RequestContext | None] = contextvars.ContextVar(
    "fdx_request_context", default=None
)


def current() -> RequestContext:
    """Return the context of the request being served (empty outside a request, e.g. in the CLI)."""
    return _current.get() or _EMPTY


def bind(context: RequestContext) -> contextvars.Token:
    """Make ``context`` current; pass the returned token to ``reset`` when the request ends."""
    return _current.set(context)


def reset(token: contextvars.Token) -> None:
    _current.reset(token)
