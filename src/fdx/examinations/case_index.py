"""The derived rows and columns the case list's filters read instead of a case's contents.

* ``Case.has_shared_result``: an examination of the case has a shared status (the visibility rule);
* ``Case.search_text``: the words a text search looks in (case numbers, locality, description, the
  exhibits' logos and colours), one column that one trigram index serves on PostgreSQL;
* ``CaseSubstance``: each substance found in the case, and whether a shared examination found it;
* ``CaseStatus``: each status an examination of the case has.

``refresh`` rewrites them from the records, in the caller's transaction: every action that changes a case,
an exhibit, an examination's status or a finding calls it, and the bulk writers write them with the
records (``rows_of``). They are not records: no version, no global id, never sent to another node; the
record's ``record_version`` and ``updated_at`` do not move when they change. ``fdx cases reindex``
rebuilds them all (after a restore, or to check them).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from django.db import connections, transaction
from django.db.models import Exists, OuterRef

from fdx.core.models import RecordState
from fdx.examinations.models import Case, CaseStatus, CaseSubstance, Examination, Exhibit, Finding
from fdx.examinations.querysets import SHARED_STATUSES

#: The case's and the exhibits' fields a text search looks in, in this order.
CASE_WORDS = ("reference", "agency_case_number", "locality", "description")
EXHIBIT_WORDS = ("logo", "colour")
#: Cases per statement (SQLite takes 999 parameters a statement).
STEP = 400


def search_text(case_words: Iterable[str], exhibit_words: Iterable[str]) -> str:
    """The text a case's search looks in: its words and its exhibits', one per line (a line break is
    never typed into a search, so no match spans two fields)."""
    return "\n".join(word for word in (*case_words, *exhibit_words) if word)


def refresh(case_ids: Iterable[int]) -> int:
    """Rewrite the derived rows and columns of the cases ``case_ids`` from their records (tombstones are
    not read). Changes only what differs, so an action that changed nothing they read writes nothing;
    returns how many rows and columns differed."""
    ids = sorted(set(case_ids))
    changed = 0
    for start in range(0, len(ids), STEP):
        chunk = ids[start : start + STEP]
        owners = dict(Case._base_manager.filter(pk__in=chunk).values_list("pk", "owner_organisation_id"))
        changed += _refresh_flags(chunk) + _refresh_search_text(chunk)
        changed += _replace(
            CaseSubstance, chunk, set(_substance_rows(owners, _findings_of(chunk))), "substance_id"
        )
        changed += _replace(CaseStatus, chunk, set(_status_rows(owners, _statuses_of(chunk))), "status")
    return changed


def refresh_all(batch_size: int = 2000) -> Iterator[tuple[int, int, int]]:
    """Rebuild the derived rows of every case, ``batch_size`` cases a transaction; yields (cases done, of how
    many, rows and columns that differed in this batch)."""
    ids = list(Case._base_manager.order_by("pk").values_list("pk", flat=True))
    for start in range(0, len(ids), batch_size):
        with transaction.atomic():
            changed = refresh(ids[start : start + batch_size])
        yield min(start + batch_size, len(ids)), len(ids), changed


def rows_of(case_id: int, owner_id: int, findings: Iterable[tuple[int | None, str]], statuses: Iterable[str]):
    """The ``CaseSubstance`` and ``CaseStatus`` rows of one new case, as (model, values) pairs, from its
    findings' (substance id, examination status) and its examinations' statuses: what the bulk writers
    insert with the records, without reading them back."""
    owners = {case_id: owner_id}
    findings = [(case_id, substance_id, status) for substance_id, status in findings]
    for case, substance, owner, shared in _substance_rows(owners, findings):
        yield (
            CaseSubstance,
            {
                "case_id": case,
                "substance_id": substance,
                "owner_organisation_id": owner,
                "shared": shared,
            },
        )
    for case, status, owner in _status_rows(owners, [(case_id, status) for status in statuses]):
        yield CaseStatus, {"case_id": case, "status": status, "owner_organisation_id": owner}


def _substance_rows(owners: dict, findings: Iterable[tuple[int, int | None, str]]):
    shared: dict[tuple[int, int], bool] = {}
    for case_id, substance_id, status in findings:
        if substance_id is not None:
            key = (case_id, substance_id)
            shared[key] = shared.get(key, False) or status in SHARED_STATUSES
    return ((case, substance, owners[case], value) for (case, substance), value in shared.items())


def _status_rows(owners: dict, statuses: Iterable[tuple[int, str]]):
    return {(case, status, owners[case]) for case, status in statuses}


def _findings_of(chunk: list[int]):
    return (
        Finding._base_manager.filter(examination__exhibit__case_id__in=chunk)
        .exclude(record_state=RecordState.DELETED)
        .exclude(examination__record_state=RecordState.DELETED)
        .exclude(examination__exhibit__record_state=RecordState.DELETED)
        .values_list("examination__exhibit__case_id", "substance_id", "examination__status")
    )


def _statuses_of(chunk: list[int]):
    return (
        Examination._base_manager.filter(exhibit__case_id__in=chunk)
        .exclude(record_state=RecordState.DELETED)
        .exclude(exhibit__record_state=RecordState.DELETED)
        .order_by()
        .values_list("exhibit__case_id", "status")
        .distinct()
    )


def _replace(model, chunk: list[int], wanted: set[tuple], key: str) -> int:
    """Make ``model``'s rows of the cases ``chunk`` exactly ``wanted`` (tuples in the order of its fields:
    case id, ``key``, owner, then any others), deleting and inserting only the difference."""
    names = ["case_id", key, "owner_organisation_id"] + (["shared"] if model is CaseSubstance else [])
    present = {row[1:]: row[0] for row in model.objects.filter(case_id__in=chunk).values_list("pk", *names)}
    gone = [pk for row, pk in present.items() if row not in wanted]
    if gone:
        model.objects.filter(pk__in=gone).delete()
    new = [model(**dict(zip(names, row, strict=True))) for row in sorted(wanted - set(present))]
    if new:
        model.objects.bulk_create(new)
    return len(gone) + len(new)


def _refresh_flags(chunk: list[int]) -> int:
    shared = Exists(
        Examination.objects.filter(exhibit__case_id=OuterRef("pk"), status__in=SHARED_STATUSES).exclude(
            exhibit__record_state=RecordState.DELETED
        )
    )
    # Only the rows whose flag is wrong, so that the count says what differed.
    return (
        Case._base_manager.filter(pk__in=chunk)
        .exclude(has_shared_result=shared)
        .update(has_shared_result=shared)
    )


def _refresh_search_text(chunk: list[int]) -> int:
    words: dict[int, list[str]] = {pk: [] for pk in chunk}
    exhibits = (
        Exhibit.objects.filter(case_id__in=chunk)
        .order_by("case_id", "label", "pk")
        .values_list("case_id", *EXHIBIT_WORDS)
    )
    for case_id, *values in exhibits:
        words[case_id].extend(values)
    changed = []
    for pk, current, *values in Case._base_manager.filter(pk__in=chunk).values_list(
        "pk", "search_text", *CASE_WORDS
    ):
        text = search_text(values, words[pk])
        if text != current:
            changed.append((text, pk))
    if changed:
        _update_search_text(changed)
    return len(changed)


def _update_search_text(changed: list[tuple[str, int]]) -> None:
    """One ``UPDATE`` a case, sent together (what ``bulk_update`` does, without its ``CASE WHEN`` built per
    case: a page of cases received from a peer is re-indexed in one go)."""
    connection = connections[Case._base_manager.db]
    quote = connection.ops.quote_name
    meta = Case._meta
    statement = "UPDATE {} SET {} = %s WHERE {} = %s".format(  # noqa: S608 (the model's own names)
        quote(meta.db_table), quote(meta.get_field("search_text").column), quote(meta.pk.column)
    )
    with connection.cursor() as cursor:
        cursor.executemany(statement, changed)
