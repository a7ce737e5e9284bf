"""Who may see and change spectral libraries: one rule for every page, API route, search and export.

* Spectra are read (and searched) by users holding ``spectra.search_spectra``.
* An organisation sees its own libraries and the libraries of others whose distribution level reaches it
  (``core.distribution.shared_with``) — a reference library meant for everyone is shared internationally.
* Only the owning organisation's users holding ``spectra.manage_spectral_libraries`` change a library or
  import into it.
"""

from __future__ import annotations

from django.db.models import Q, QuerySet

from fdx.accounts.sharing import shared_with
from fdx.core.querysets import DistributedQuerySet, RestrictedQuerySet


def can_search(user) -> bool:
    return bool(user and user.is_authenticated and user.is_active and user.has_perm("spectra.search_spectra"))


def can_manage(user) -> bool:
    return bool(
        user
        and user.is_authenticated
        and user.is_active
        and user.has_perm("spectra.manage_spectral_libraries")
    )


def library_visibility(user, prefix: str = "") -> Q:
    """Condition on a library (reached through ``prefix``) for ``user`` to see it."""
    organisation = user.organisation
    return Q(**{f"{prefix}owner_organisation_id": organisation.pk}) | shared_with(organisation, prefix)


class SpectralLibraryQuerySet(DistributedQuerySet, RestrictedQuerySet):
    def _restrict(self, user, action) -> QuerySet:
        if action == "view":
            return self.filter(library_visibility(user)) if can_search(user) else self.none()
        return self.filter(owner_organisation_id=user.organisation_id) if can_manage(user) else self.none()


class SpectrumQuerySet(DistributedQuerySet, RestrictedQuerySet):
    def _restrict(self, user, action) -> QuerySet:
        if action == "view":
            return self.filter(library_visibility(user, "library__")) if can_search(user) else self.none()
        if not can_manage(user):
            return self.none()
        return self.filter(library__owner_organisation_id=user.organisation_id)
