"""Showing an action's validation errors on the form that called it."""

from django.core.exceptions import ValidationError


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
