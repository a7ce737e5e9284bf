"""Showing an action's validation errors on the form that called it; blank forms rendered once."""

from functools import lru_cache

from django.core.exceptions import ValidationError
from django.utils.safestring import mark_safe
from django.utils.translation import get_language, override


def add_action_errors(form, exc: ValidationError, *other_forms) -> None:
    """Attach the messages of ``exc`` to ``form``: on the field they name, in whichever of the page's forms
    (``form``, then ``other_forms``) has it, else on top of ``form``."""
    if hasattr(exc, "error_dict"):
        for field, errors in exc.error_dict.items():
            holder = next((f for f in (form, *other_forms) if field in f.fields), None)
            for message in ValidationError(errors).messages:
                if holder is None:
                    form.add_error(None, message)
                else:
                    holder.add_error(field, message)
    else:
        for message in exc.messages:
            form.add_error(None, message)


def blank_form_html(form_class, *, choices: tuple = (), **options) -> str:
    """The HTML of a blank ``form_class(**options)`` as ``as_p`` writes it, in the active language.

    A blank form is the same for every reader, so it is rendered once per process, language and set of
    choices, then reused: Django renders a form through one template per field and widget, which costs a
    page milliseconds. ``choices`` gives the fields whose choices come from a table as ``((field,
    ((value, label), ...)), ...)``, read by the caller (so a change to the table gives a new rendering), and
    is what those fields offer. Nothing a user typed ever enters it: only blank forms are cached."""
    return _blank_form_html(form_class, get_language() or "", choices, tuple(sorted(options.items())))


@lru_cache(maxsize=64)
def _blank_form_html(form_class, language: str, choices: tuple, options: tuple) -> str:
    with override(language or None):
        form = form_class(**dict(options))
        for name, field_choices in choices:
            form.fields[name].choices = list(field_choices)
        return form.as_p()


class RenderedForm:
    """A blank form already rendered: what a page's template reads of a form (``as_p``, ``errors``)."""

    errors = None

    def __init__(self, html: str):
        self.html = mark_safe(html)  # noqa: S308 (the rendering of a blank form: nothing from a user)

    def as_p(self) -> str:
        return self.html

    def __str__(self) -> str:
        return self.html
