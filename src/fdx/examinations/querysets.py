"""Who may see and change case data: one rule, used by every page, API route, export and task.

* Case data is read by users holding ``examinations.view_case_data``.
* An organisation sees all of its own records, drafts included.
* Another organisation sees a case when the case's distribution level reaches it
  (``core.distribution.shared_with``) and the case has at least one approved examination; it then
  sees the approved (and superseded or retracted) examinations and their findings, never drafts.
* Only the owning organisation's users holding ``examinations.record_case_data`` change anything.
"""

from __future__ import annotations

from django.db.models import Q, QuerySet

from fdx.accounts.sharing import shared_with
from fdx.core.querysets import DistributedQuerySet, RestrictedQuerySet
from fdx.examinations.choices import ExaminationStatus

#: Statuses another organisation may see: results that were approved at some point.
SHARED_STATUSES = (ExaminationStatus.APPROVED, ExaminationStatus.SUPERSEDED, ExaminationStatus.RETRACTED)


def can_view_case_data(user) -> bool:
    return bool(
        user and user.is_authenticated and user.is_active and user.has_perm("examinations.view_case_data")
    )


def can_record(user) -> bool:
    return bool(
        user and user.is_authenticated and user.is_active and user.has_perm("examinations.record_case_data")
    )


def case_visibility(user, prefix: str = "") -> Q:
    """Condition on a case (reached through ``prefix``) for ``user`` to see it: the case is the reader's
    organisation's own, or its level reaches the reader and it has a shared result.

    "Has a shared result" is the stored flag ``Case.has_shared_result`` (kept by
    ``actions.refresh_shared_flags`` in the transaction that approves an examination, and once per batch by
    the bulk writers), not a subquery over the examinations, so the rule is a test of columns of the case
    row (and of its owner's country, one primary-key lookup in a small table). A list in the order of an
    index then walks that index and stops after the page: on PostgreSQL at 100,000 cases the case list is
    an index scan of ``case_seizure_key`` filtered by this rule under the LIMIT (0.5–13 ms), the findings
    list a backward scan of the findings' primary key joined to the case by key. The subquery it replaces
    was built whole on every query (a hashed subplan over every shared examination: 130,000 rows, 400–650
    ms at 100,000 cases, growing with the table).

    Why one OR and not a UNION ALL of "own" and "shared" rows, each in index order: the union reads fewer
    rows when a reader sees a small part of the table, but Django cannot filter a union, and every list adds
    its filters and the cursor's key to the restricted queryset. The OR keeps that contract; the rows it
    walks past are the ones the reader may not see between two visible ones (for the regional centre about
    1,100 unapproved recent cases before its first page), which depends on the mix of the data, not on the
    size of the table.
    """
    organisation = user.organisation
    own = Q(**{f"{prefix}owner_organisation_id": organisation.pk})
    return own | (shared_with(organisation, prefix) & Q(**{f"{prefix}has_shared_result": True}))


class CaseQuerySet(DistributedQuerySet, RestrictedQuerySet):
    def _restrict(self, user, action) -> QuerySet:
        if action == "view":
            return self.filter(case_visibility(user)) if can_view_case_data(user) else self.none()
        return self.filter(owner_organisation_id=user.organisation_id) if can_record(user) else self.none()


class ExhibitQuerySet(DistributedQuerySet, RestrictedQuerySet):
    def _restrict(self, user, action) -> QuerySet:
        if action == "view":
            return self.filter(case_visibility(user, "case__")) if can_view_case_data(user) else self.none()
        return (
            self.filter(case__owner_organisation_id=user.organisation_id) if can_record(user) else self.none()
        )


class ExaminationQuerySet(DistributedQuerySet, RestrictedQuerySet):
    def _restrict(self, user, action) -> QuerySet:
        own = Q(exhibit__case__owner_organisation_id=user.organisation_id)
        if action == "view":
            if not can_view_case_data(user):
                return self.none()
            return self.filter(case_visibility(user, "exhibit__case__")).filter(
                own | Q(status__in=SHARED_STATUSES)
            )
        return self.filter(own) if can_record(user) else self.none()


class FindingQuerySet(DistributedQuerySet, RestrictedQuerySet):
    def _restrict(self, user, action) -> QuerySet:
        own = Q(examination__exhibit__case__owner_organisation_id=user.organisation_id)
        if action == "view":
            if not can_view_case_data(user):
                return self.none()
            return self.filter(case_visibility(user, "examination__exhibit__case__")).filter(
                own | Q(examination__status__in=SHARED_STATUSES)
            )
        return self.filter(own) if can_record(user) else self.none()


class AttachmentQuerySet(DistributedQuerySet, RestrictedQuerySet):
    def _restrict(self, user, action) -> QuerySet:
        own = Q(case__owner_organisation_id=user.organisation_id)
        if action == "view":
            if not can_view_case_data(user):
                return self.none()
            shared_file = Q(examination__isnull=True) | Q(examination__status__in=SHARED_STATUSES)
            return self.filter(case_visibility(user, "case__")).filter(own | shared_file)
        return self.filter(own) if can_record(user) else self.none()


class CaseNoteQuerySet(RestrictedQuerySet):
    """Notes on cases (``CaseNote``): an organisation's own working notes.

    * "view": the notes of the reader's organisation on the cases the reader may see (the case rule above);
      another organisation's notes never, whatever it may see of the case.
    * "change" (delete): the reader's own notes among those.
    """

    def _restrict(self, user, action) -> QuerySet:
        if not can_view_case_data(user):
            return self.none()
        visible = self.filter(case_visibility(user, "case__"), organisation_id=user.organisation_id)
        return visible if action == "view" else visible.filter(author_id=user.pk)
