"""Template filters of the accounts app."""

from django import template

from fdx.accounts.choices import Role

register = template.Library()


@register.filter
def role_label(code: str) -> str:
    """The translated name of a role code (``data_entry`` → "Data entry")."""
    try:
        return Role(code).label
    except ValueError:
        return code
