"""``paging._time_budget``: a statement past its budget is stopped on either database, and the connection
is as it was afterwards (the budget does not leak into the rest of the request)."""

import pytest
from django.db import connection

from fdx.core import paging

pytestmark = pytest.mark.django_db

#: A statement that takes seconds on either database.
SLOW = {
    "postgresql": "SELECT pg_sleep(2)",
    "sqlite": (
        "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 50000000)"
        " SELECT count(*) FROM n"
    ),
}


def _run(sql: str):
    with connection.cursor() as cursor:
        cursor.execute(sql)
        return cursor.fetchone()


def _timeout() -> str | None:
    return _run("SHOW statement_timeout")[0] if connection.vendor == "postgresql" else None


def test_a_statement_past_the_budget_is_stopped_and_the_connection_is_as_it_was():
    before = _timeout()

    with pytest.raises(paging._OverBudget), paging._time_budget("default", 30):
        _run(SLOW[connection.vendor])

    assert _timeout() == before
    assert _run("SELECT 1") == (1,)


def test_a_statement_within_the_budget_runs_and_the_budget_goes_with_it():
    before = _timeout()

    with paging._time_budget("default", 5000):
        assert _run("SELECT 41 + 1") == (42,)

    assert _timeout() == before
    if connection.vendor == "sqlite":  # the progress handler is gone: a longer statement runs to its end
        assert _run(
            "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 200000) "
            "SELECT count(*) FROM n"
        ) == (200000,)


def test_the_first_count_has_a_budget_only_where_an_estimate_can_stand_in():
    """PostgreSQL stops a first count past the budget (its planner can estimate instead); SQLite cannot
    estimate, so its first count runs to its end."""
    if connection.vendor == "postgresql":
        with pytest.raises(paging._OverBudget), paging._time_budget("default", 30, only_with_estimates=True):
            _run(SLOW["postgresql"])
    else:
        with paging._time_budget("default", 1, only_with_estimates=True):
            assert _run(
                "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 200000) "
                "SELECT count(*) FROM n"
            ) == (200000,)


@pytest.mark.skipif(connection.vendor != "postgresql", reason="an estimate is PostgreSQL's planner's")
def test_a_first_count_past_the_budget_reads_as_the_planners_estimate(monkeypatch):
    import contextlib

    from django.contrib.contenttypes.models import ContentType
    from django.core.cache import cache

    real_budget = paging._time_budget

    @contextlib.contextmanager
    def exhausted(alias, milliseconds, *, only_with_estimates=False):
        if only_with_estimates:
            raise paging._OverBudget
        with real_budget(alias, milliseconds):
            yield

    cache.clear()
    monkeypatch.setattr(paging, "_time_budget", exhausted)

    total = paging.bounded_total(ContentType.objects.all())

    estimate = paging._estimated_rows(ContentType.objects.order_by().values("pk"))
    assert isinstance(estimate, int) and estimate >= 0
    assert total == paging.Total(estimate, approximate=True)


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's statement_timeout")
def test_outside_a_transaction_the_budget_ends_with_its_own():
    """A connection in autocommit (a request's) is left without the budget: the transaction the budget
    opened took its setting with it."""
    from django.db import connections

    tests = connections["default"]
    own = connections.create_connection("default")  # not inside the test's transaction
    connections["default"] = own  # for the budget's transaction.atomic as for its cursor
    try:
        with own.cursor() as cursor:
            cursor.execute("SHOW statement_timeout")
            before = cursor.fetchone()[0]
        with (
            pytest.raises(paging._OverBudget),
            paging._time_budget("default", 30),
            own.cursor() as cursor,
        ):
            cursor.execute(SLOW["postgresql"])
        with own.cursor() as cursor:
            cursor.execute("SHOW statement_timeout")
            assert cursor.fetchone()[0] == before
            assert not own.in_atomic_block
    finally:
        connections["default"] = tests
        own.close()
