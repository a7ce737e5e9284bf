"""Helpers shared by the ``fdx`` sub-commands: clean error messages and JSON output."""

from __future__ import annotations

import functools
import json
import sys

import typer
from rich.console import Console


class TerminalConsole:
    """The terminal, as a rich console made afresh at each use.

    A console made at import keeps the width the terminal had then (rich reads ``COLUMNS`` when a console is
    made), which a resized terminal, a pipe or a test runner's worker changes afterwards."""

    def __init__(self, *, stderr: bool = False):
        self._stderr = stderr

    def __getattr__(self, name):
        return getattr(Console(stderr=self._stderr), name)


out = TerminalConsole()
err = TerminalConsole(stderr=True)


def handle_errors(function):
    """Turn validation, permission and lookup errors into one red line and exit status 1 (no traceback)."""

    @functools.wraps(function)
    def wrapper(*args, **kwargs):
        from django.core.exceptions import ObjectDoesNotExist, PermissionDenied, ValidationError
        from django.utils.translation import pgettext

        try:
            return function(*args, **kwargs)
        except ValidationError as exc:
            prefix, text = pgettext("command line", "error:"), describe_validation_error(exc)
        except PermissionDenied as exc:
            prefix, text = pgettext("command line", "refused:"), str(exc)
        except (ObjectDoesNotExist, LookupError) as exc:
            prefix, text = pgettext("command line", "not found:"), str(exc)
        err.print(f"[red]{prefix}[/red] {text}", markup=True, highlight=False)
        raise typer.Exit(1)

    return wrapper


def describe_validation_error(exc) -> str:
    """``field: message; field: message`` for a Django ValidationError."""
    if hasattr(exc, "message_dict"):
        return "; ".join(f"{field}: {' '.join(messages)}" for field, messages in exc.message_dict.items())
    return " ".join(exc.messages)


def print_json(value) -> None:
    from django.core.serializers.json import DjangoJSONEncoder

    sys.stdout.write(json.dumps(value, cls=DjangoJSONEncoder, ensure_ascii=False, indent=2) + "\n")
