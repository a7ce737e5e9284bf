"""Background work of the examinations app, run as subscribers of domain events (``fdx.core.events``):
each takes the event (ids, not objects), is idempotent, and runs after commit in ``fdx worker``."""

from __future__ import annotations

from django.db import connection
from django_tasks import task

from fdx.core.actors import system
from fdx.examinations import actions, export_runs
from fdx.substances.models import Substance


def refresh_statistics(event) -> None:
    """After ``examinations.cases.imported``: let PostgreSQL's planner see the new row counts at once instead
    of after the next autovacuum (with stale counts it plans the visibility subqueries as nested loops).
    Constant SQL."""
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        for table in (
            "examinations_case",
            "examinations_exhibit",
            "examinations_examination",
            "examinations_finding",
            "examinations_examination_methods",
        ):
            cursor.execute(f"ANALYZE {table}")  # the table names are the constants above


def refresh_draft_amounts(event) -> int:
    """After ``substances.substance.changed`` moved a conversion factor: the draft findings of that
    substance get their base equivalent again (approved ones stay as approved). Returns how many changed."""
    if "base_conversion_factor" not in event.payload.get("changed", []):
        return 0
    substance_id = Substance.objects.filter(global_id=event.object_id).values_list("pk", flat=True).first()
    if substance_id is None:
        return 0
    return actions.refresh_draft_amounts(system(f"event:{event.code}"), substance_id)


@task()
def run_export_task(run_id: int) -> str:
    """Write a findings export prepared in the background (``export_runs.run_export``); first removes the
    files of runs past their time. Idempotent: a run that is not queued is left as it is."""
    export_runs.remove_expired_runs(system("task:export-runs"))
    return export_runs.run_export(run_id)
