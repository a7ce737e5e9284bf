"""A mapping written as lines (the mapping page's text areas): ``header = field``, ``field = unit``,
``field: word = value``, ``name = registry name``; and the same lines from a saved mapping."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from fdx.intake.models import ImportMapping
from fdx.intake.rows import Mapping
from fdx.substances.models import Substance
from fdx.substances.selectors import resolve_substance


def mapping_from_lines(columns: str, units: str, values: str, substances: str) -> Mapping:
    """The mapping the lines say; ``ValidationError`` naming the text area and the line of each that cannot
    be read (a substance name must name exactly one registry substance)."""
    errors: dict[str, list[str]] = {}
    mapping = Mapping()
    for _number, left, right in _pairs(columns, "columns", errors):
        mapping.columns[left] = right
    for _number, left, right in _pairs(units, "units", errors):
        mapping.units[left] = right
    for number, left, right in _pairs(values, "values", errors):
        field, colon, word = left.partition(":")
        if not colon or not word.strip():
            errors.setdefault("values", []).append(
                _("Line %(line)s: write «field: your word = FDX's value».") % {"line": number}
            )
            continue
        mapping.values.setdefault(field.strip(), {})[word.strip()] = right
    for number, left, right in _pairs(substances, "substances", errors):
        try:
            mapping.substances[left] = str(resolve_substance(right).global_id)
        except ValidationError as exc:
            errors.setdefault("substances", []).append(
                _("Line %(line)s: %(problem)s") % {"line": number, "problem": " ".join(exc.messages)}
            )
    if errors:
        raise ValidationError(errors)
    return mapping


def _pairs(text: str, field: str, errors: dict):
    for number, line in enumerate((text or "").splitlines(), 1):
        if not line.strip():
            continue
        left, equals, right = line.partition("=")
        if not equals or not left.strip() or not right.strip():
            errors.setdefault(field, []).append(_("Line %(line)s: write «… = …».") % {"line": number})
            continue
        yield number, left.strip(), right.strip()


def lines_of(mapping: ImportMapping) -> dict[str, str]:
    """A saved mapping as the page's lines (each substance by its English name)."""
    names = dict(
        Substance.objects.filter(global_id__in=list(mapping.substances.values())).values_list(
            "global_id", "name_en"
        )
    )
    return {
        "name": mapping.name,
        "columns": "\n".join(f"{header} = {key}" for header, key in mapping.columns.items()),
        "units": "\n".join(f"{key} = {unit}" for key, unit in mapping.units.items()),
        "values": "\n".join(
            f"{key}: {word} = {value}"
            for key, table in mapping.values.items()
            for word, value in table.items()
        ),
        "substances": "\n".join(
            f"{name} = {names.get(_uuid(gid), gid)}" for name, gid in mapping.substances.items()
        ),
    }


def _uuid(value):
    import uuid

    try:
        return uuid.UUID(str(value))
    except ValueError:
        return value
