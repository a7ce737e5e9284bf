"""The fast write path of a long load (COPY on PostgreSQL, one executemany on SQLite) writes what the ORM
path writes, and a batch the database refuses leaves nothing behind."""

import datetime
import itertools
import uuid

import pytest
from django.db import IntegrityError
from django.utils import timezone

from fdx.audit.models import AuditEvent
from fdx.audit.verify import verify_chain
from fdx.core.actors import system
from fdx.demo.cases import _context, generate, load_demo_cases_in_batches
from fdx.examinations.bulk import load_cases_in_batches
from fdx.examinations.models import Case, Examination, Exhibit, Finding

pytestmark = pytest.mark.django_db
MOMENT = datetime.datetime(2026, 11, 22, 9, 30, 15, 123456, tzinfo=datetime.UTC)
RECORDS = (Case, Exhibit, Examination, Finding)
METHODS = Examination.methods.through
#: The tables whose ids other rows of a load point at, by the column that points at them.
POINTERS = {"case_id": Case, "exhibit_id": Exhibit, "examination_id": Examination}


@pytest.fixture
def fixed_time_and_ids(monkeypatch):
    """A fixed clock and global ids counted from 1 (``restart()`` counts again), for both paths."""
    counter = itertools.count(1)

    def next_id():
        return uuid.UUID(int=next(counter), version=4)

    def restart():
        nonlocal counter
        counter = itertools.count(1)

    monkeypatch.setattr(timezone, "now", lambda: MOMENT)
    for model in RECORDS:
        monkeypatch.setattr(model._meta.get_field("global_id"), "_get_default", next_id)
    return restart


def _stored_rows() -> dict:
    """Every column of every row of the five tables, in id order, each id (and each pointer to one) counted
    from the first id of its table in this load, so that two loads into one database compare."""
    first = {
        model: model._base_manager.order_by("pk").values_list("pk", flat=True).first() for model in RECORDS
    }
    tables = {}
    for model in (*RECORDS, METHODS):
        names = [field.attname for field in model._meta.concrete_fields]
        rows = []
        for values in model._base_manager.order_by("pk").values_list(*names):
            row = dict(zip(names, values, strict=True))
            row["id"] -= first.get(model) or model._base_manager.order_by("pk").first().pk
            for name, target in POINTERS.items():
                if name in row:
                    row[name] -= first[target]
            rows.append(row)
        tables[model._meta.label] = rows
    return tables


def _delete_the_load() -> None:
    METHODS.objects.all().delete()
    for model in reversed(RECORDS):
        model._base_manager.all().delete()


def _batch_events() -> list:
    return list(
        AuditEvent.objects.filter(action="examinations.cases.imported_in_batch")
        .order_by("sequence")
        .values_list("actor_username", "object_type", "object_repr", "after", "occurred_at")
    )


def test_the_fast_path_writes_the_rows_the_orm_path_writes(fixed_time_and_ids):
    actor = system("setup")
    context = _context(actor)

    def load(fast: bool) -> dict:
        fixed_time_and_ids()
        specs = generate(context, cases=60, seed=11, today=timezone.localdate())
        report = load_cases_in_batches(actor, specs, batch_size=25, fast=fast)
        assert report.written == 60 and report.refused == []
        return _stored_rows()

    orm = load(fast=False)
    _delete_the_load()
    fast = load(fast=True)

    assert [len(rows) for rows in fast.values()] == [len(rows) for rows in orm.values()]
    assert len(orm["examinations.Finding"]) > 60
    assert fast == orm  # every column: global ids, origin, versions, states, times, amounts, pointers
    assert orm["examinations.Case"][0]["created_at"] == MOMENT
    events = _batch_events()
    assert len(events) == 6 and events[:3] == events[3:]  # three batches each, the same audit record


def test_a_batch_the_database_refuses_leaves_nothing_of_it(monkeypatch):
    """The second batch breaks a unique constraint while its findings are written: its cases, exhibits and
    examinations, written before, go with it; the first batch stays, with its audit event."""
    actor = system("setup")
    same = uuid.uuid4()

    def after_a_batch(read, _written):
        if read == 10:  # from the second batch on, every finding would have the same global id
            monkeypatch.setattr(Finding._meta.get_field("global_id"), "_get_default", lambda: same)

    with pytest.raises(IntegrityError):
        load_demo_cases_in_batches(actor, cases=30, seed=4, batch_size=10, on_batch=after_a_batch)

    first = generate(_context(actor), cases=10, seed=4, today=timezone.localdate())
    assert list(Case.objects.order_by("pk").values_list("reference", flat=True)) == [
        s.reference for s in first
    ]
    assert Exhibit.objects.count() == Examination.objects.count() == sum(len(s.exhibits) for s in first)
    assert Finding.objects.count() == sum(len(e.findings) for s in first for e in s.exhibits)
    assert METHODS.objects.count() == sum(len(e.methods) for s in first for e in s.exhibits)
    assert len(_batch_events()) == 1
    assert verify_chain().ok
