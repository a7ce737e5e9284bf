"""Showing an action's validation errors on the form that called it."""

from django.core.exceptions import ValidationError


def add_action_errors(form, exc: ValidationError) -> None:
    """Attach the messages of ``exc`` to ``form``: on the field they name if the form has it, else on top."""
    if hasattr(exc, "error_dict"):
        for field, errors in exc.error_dict.items():
            target = field if field in form.fields else None
            for message in ValidationError(errors).messages:
                form.add_error(target, message)
    else:
        for message in exc.messages:
            form.add_error(None, message)
