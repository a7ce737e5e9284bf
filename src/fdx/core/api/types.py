"""Shared field types of the API bodies and query parameters."""

from __future__ import annotations

import datetime
import re
from typing import Annotated, Any

from django.utils.translation import gettext as _
from pydantic import BeforeValidator, Field
from pydantic_core import PydanticCustomError

_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_ISO_DATETIME = re.compile(r"\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}|$)")


def _iso_date(value: Any) -> Any:
    """Only ``YYYY-MM-DD``: pydantic's lax mode read a number as seconds since 1970 (``seized_from=0`` was
    1 January 1970 and listed everything)."""
    if isinstance(value, datetime.date) and not isinstance(value, datetime.datetime):
        return value
    if isinstance(value, str) and _ISO_DATE.fullmatch(value):
        return value
    raise PydanticCustomError("iso_date", _("Enter a date as YYYY-MM-DD."))


def _iso_datetime(value: Any) -> Any:
    """An ISO 8601 moment (``YYYY-MM-DD[THH:MM[:SS][±HH:MM]]``), never a number read as seconds since 1970."""
    if isinstance(value, datetime.datetime):
        return value
    if isinstance(value, str) and _ISO_DATETIME.match(value):
        return value
    raise PydanticCustomError(
        "iso_datetime", _("Enter a moment as an ISO 8601 date and time (YYYY-MM-DDTHH:MM:SS+05:00).")
    )


#: A calendar day, as ``YYYY-MM-DD`` only.
IsoDate = Annotated[datetime.date, BeforeValidator(_iso_date)]
#: A moment, as an ISO 8601 date and time only (a day alone is its midnight).
IsoDateTime = Annotated[datetime.datetime, BeforeValidator(_iso_datetime)]


def _without_default(schema: dict) -> None:
    schema.pop("default", None)


def Keep(**constraints: Any) -> Any:
    """A PATCH field that keeps its value when left out and refuses an explicit null (422 naming it), as its
    type says: ``name: str = Keep(max_length=200)``. Only a field typed ``X | None`` takes null, to empty it.
    The document shows no default, since null is not a value it takes."""
    return Field(None, json_schema_extra=_without_default, **constraints)


def _not_a_boolean(value: Any) -> Any:
    """pydantic's lax mode read ``true`` as the number 1 (``"days": true`` made a token for one day)."""
    if isinstance(value, bool):
        raise PydanticCustomError("int_type", _("Enter a whole number, not true or false."))
    return value


#: A whole number in a JSON body: ``true`` and ``false`` are refused.
Integer = Annotated[int, BeforeValidator(_not_a_boolean)]
