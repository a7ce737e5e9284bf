"""Who performs an action: a signed-in user, or the system itself (the operator's CLI, set-up, a task).

Actions take an ``actor``. A ``SystemActor`` is trusted (it runs with shell access to the node) and is named
in the audit chain by its label, such as ``cli:root`` or ``setup``; a user is checked against permissions.
"""

from __future__ import annotations

import getpass
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _


@dataclass(frozen=True)
class SystemActor:
    label: str
    is_authenticated: bool = False
    is_active: bool = True
    pk: None = None

    def __str__(self) -> str:
        return self.label


def system(label: str) -> SystemActor:
    """A system actor named ``label`` (for example ``setup`` or ``task:verify-audit-chain``)."""
    return SystemActor(label=label)


def cli_actor() -> SystemActor:
    """The operator running the ``fdx`` command line, named by their operating-system account."""
    try:
        user = getpass.getuser()
    except (KeyError, OSError):
        user = "unknown"
    return SystemActor(label=f"cli:{user}")


def is_system(actor) -> bool:
    return isinstance(actor, SystemActor)


def is_user(actor) -> bool:
    """A signed-in, active user (not anonymous, not the system)."""
    return not is_system(actor) and actor is not None and actor.is_authenticated and actor.is_active


def require_permission(actor, permission: str) -> None:
    """Raise ``PermissionDenied`` unless ``actor`` is the system or a user holding ``permission``."""
    if is_system(actor):
        return
    if not is_user(actor) or not actor.has_perm(permission):
        raise PermissionDenied(_("You do not have permission to do this."))


def require_user(actor) -> None:
    """Raise ``PermissionDenied`` unless ``actor`` is a signed-in, active user or the system."""
    if not is_system(actor) and not is_user(actor):
        raise PermissionDenied(_("Sign in first."))
