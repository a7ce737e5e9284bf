"""Findings exports prepared in the background: the file is the streamed export's text for the same reader
and filters, written with progress; the run and its file are its owner's only; cancel, failure and expiry."""

import datetime
import itertools
import json

import pytest
from django.utils import timezone

from fdx.audit.models import AuditEvent
from fdx.core import filestore
from fdx.core.actors import system
from fdx.demo.cases import load_demo_cases
from fdx.examinations import export_runs, exports, selectors
from fdx.examinations.choices import ExportRunState
from fdx.examinations.models import Case, ExportRun

pytestmark = pytest.mark.django_db
EVERYTHING = selectors.CaseFilters()


@pytest.fixture
def demo_cases():
    load_demo_cases(system("setup"), cases=15, seed=11)


@pytest.fixture
def run_now(django_capture_on_commit_callbacks):
    """Start a run and let the (immediate) task backend write it, as the worker would after commit."""

    def start(viewer, filters=EVERYTHING, file_format="csv") -> ExportRun:
        with django_capture_on_commit_callbacks(execute=True):
            run = export_runs.start_export_run(viewer, filters, file_format)
        run.refresh_from_db()
        return run

    return start


def stored_text(run: ExportRun) -> str:
    with filestore.open_stored(run.sha256) as handle:
        return handle.read().decode()


@pytest.mark.parametrize("file_format", ["csv", "json"])
def test_a_run_writes_the_streamed_exports_text_for_the_same_reader_and_filters(
    demo_cases, persona, run_now, file_format
):
    reader = persona("uz_police_analyst")
    filters = selectors.CaseFilters(seized_from=datetime.date(2020, 1, 1), form="tablet")
    streamed = "".join(text for text, _rows in exports.BLOCKS[file_format](reader, filters))

    run = run_now(reader, filters, file_format)

    expected_rows = exports.visible_findings(reader, filters).count()
    assert run.state == ExportRunState.DONE and expected_rows > 0
    assert stored_text(run) == streamed
    assert (run.rows_written, run.rows_expected) == (expected_rows, expected_rows)
    assert run.size_bytes == len(streamed.encode()) and filestore.verify(run.sha256)
    assert run.filters["form"] == "tablet" and run.filters["seized_from"] == "2020-01-01"
    assert run.expires_at > run.finished_at >= run.started_at


def test_progress_rises_every_n_rows_in_its_own_saves(demo_cases, persona, run_now, settings, monkeypatch):
    settings.FDX_EXPORT_PROGRESS_ROWS = 5
    monkeypatch.setattr(exports, "CHUNK_ROWS", 3)
    saved = []
    progress = export_runs._progress

    def spy(run, **fields):
        progress(run, **fields)
        saved.append(ExportRun.objects.values_list("rows_written", flat=True).get(pk=run.pk))

    monkeypatch.setattr(export_runs, "_progress", spy)
    reader = persona("kz_lab_chemist")

    run = run_now(reader)

    assert len(saved) > 3
    assert saved[0] == 0 and saved[-1] <= run.rows_written
    assert all(later - earlier >= 5 for earlier, later in itertools.pairwise(saved))


def test_an_outside_readers_run_holds_only_what_they_may_see(demo_cases, persona, run_now):
    outsider, owner = persona("intl_analyst"), persona("kz_lab_chemist")

    run = run_now(outsider, file_format="json")

    rows = json.loads(stored_text(run))
    assert rows == list(exports.finding_rows(outsider, EVERYTHING))
    assert 0 < len(rows) < exports.visible_findings(owner, EVERYTHING).count()
    visible_cases = set(selectors.list_cases(outsider).values_list("reference", flat=True))
    assert (
        {row["case"] for row in rows} <= visible_cases < set(Case.objects.values_list("reference", flat=True))
    )


def test_another_user_neither_sees_nor_downloads_a_run(demo_cases, persona, run_now, client, api):
    run = run_now(persona("uz_police_analyst"))
    other = persona("kz_police_analyst")
    client.force_login(other)
    events = AuditEvent.objects.exclude(action="accounts.token.created").count()

    pages = [f"/cases/exports/{run.global_id}/{tail}" for tail in ("", "status.json", "download")]
    routes = [f"/findings/exports/{run.global_id}", f"/findings/exports/{run.global_id}/download"]

    assert [client.get(page).status_code for page in pages] == [404, 404, 404]
    assert client.post(f"/cases/exports/{run.global_id}/cancel/").status_code == 404
    assert [api.get(route, user=other).status_code for route in routes] == [404, 404]
    assert api.post(f"/findings/exports/{run.global_id}/cancel", user=other).status_code == 404
    assert run.global_id not in [
        item["id"] for item in api.get("/findings/exports", user=other).json()["items"]
    ]
    assert ExportRun.objects.get(pk=run.pk).state == ExportRunState.DONE
    assert AuditEvent.objects.exclude(action="accounts.token.created").count() == events


def test_the_owners_download_is_audited_with_the_visibility_of_the_run(demo_cases, persona, run_now, client):
    owner = persona("uz_police_analyst")
    run = run_now(owner, file_format="json")
    client.force_login(owner)

    response = client.get(f"/cases/exports/{run.global_id}/download")

    assert b"".join(response.streaming_content).decode() == stored_text(run)
    assert response["Digest"] == f"sha-256={run.sha256}"
    event = AuditEvent.objects.filter(action="examinations.export_run.downloaded").get()
    assert event.actor_id == owner.pk and event.object_id == str(run.global_id)
    assert event.after["rows"] == run.rows_written and event.after["sha256"] == run.sha256
    assert event.after["visibility_as_of"] == run.started_at.isoformat()


def test_starting_a_run_is_audited_and_needs_a_reader(demo_cases, persona):
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        export_runs.start_export_run(persona("kg_lab_admin"), EVERYTHING, "csv")
    assert not ExportRun.objects.exists()

    run = export_runs.start_export_run(persona("uz_police_analyst"), EVERYTHING, "json")

    event = AuditEvent.objects.filter(action="examinations.export_run.started").get()
    assert event.object_id == str(run.global_id) and event.after["format"] == "json"
    assert run.state == ExportRunState.QUEUED  # the task runs after commit


def test_a_cancelled_run_is_not_written(demo_cases, persona):
    owner = persona("uz_police_analyst")
    run = export_runs.start_export_run(owner, EVERYTHING, "csv")

    export_runs.cancel_export_run(owner, run)
    outcome = export_runs.run_export(run.pk)

    run.refresh_from_db()
    assert outcome == "not queued" and run.state == ExportRunState.CANCELLED and not run.sha256
    assert AuditEvent.objects.filter(action="examinations.export_run.cancelled").count() == 1


def test_a_run_cancelled_while_it_writes_stops_and_leaves_no_file(demo_cases, persona, settings, monkeypatch):
    settings.FDX_EXPORT_PROGRESS_ROWS = 2
    monkeypatch.setattr(exports, "CHUNK_ROWS", 2)
    owner = persona("kz_lab_chemist")
    run = export_runs.start_export_run(owner, EVERYTHING, "csv")
    blocks = exports.BLOCKS["csv"]

    def cancelled_after_the_first_block(viewer, filters):
        for number, block in enumerate(blocks(viewer, filters)):
            if number == 1:
                ExportRun.objects.filter(pk=run.pk).update(state=ExportRunState.CANCELLED)
            yield block

    monkeypatch.setitem(exports.BLOCKS, "csv", cancelled_after_the_first_block)
    files_before = sorted(filestore.root().rglob("*")) if filestore.root().exists() else []

    outcome = export_runs.run_export(run.pk)

    run.refresh_from_db()
    assert outcome == "cancelled" and run.state == ExportRunState.CANCELLED
    assert not run.sha256 and run.rows_written < run.rows_expected
    assert (sorted(filestore.root().rglob("*")) if filestore.root().exists() else []) == files_before


def test_a_failure_is_recorded_on_the_run(demo_cases, persona, monkeypatch):
    owner = persona("kz_lab_chemist")
    run = export_runs.start_export_run(owner, EVERYTHING, "json")

    def broken(viewer, filters):
        yield "[", 0
        raise RuntimeError("the disk went away")

    monkeypatch.setitem(exports.BLOCKS, "json", broken)

    outcome = export_runs.run_export(run.pk)

    run.refresh_from_db()
    assert outcome == "failed" and run.state == ExportRunState.FAILED
    assert run.error == "RuntimeError: the disk went away" and not run.sha256 and run.finished_at


def test_expired_runs_lose_their_file_unless_another_run_holds_it(
    demo_cases, persona, run_now, django_capture_on_commit_callbacks
):
    owner = persona("uz_police_analyst")
    old, same = run_now(owner), run_now(owner)
    other = run_now(owner, selectors.CaseFilters(form="powder"))
    past = timezone.now() - datetime.timedelta(hours=1)
    ExportRun.objects.filter(pk__in=[old.pk, other.pk]).update(expires_at=past)

    with django_capture_on_commit_callbacks(execute=True):
        expired = export_runs.remove_expired_runs(system("test"))

    states = dict(ExportRun.objects.values_list("pk", "state"))
    assert expired == 2 and states[old.pk] == states[other.pk] == ExportRunState.EXPIRED
    assert old.sha256 == same.sha256 and filestore.path_for(same.sha256).exists()  # ``same`` still holds it
    assert not filestore.path_for(other.sha256).exists()
    assert AuditEvent.objects.filter(action="examinations.export_runs.expired").get().after == {"runs": 2}


def test_a_large_export_from_the_cases_page_is_prepared_in_the_background(
    demo_cases, persona, client, settings, django_capture_on_commit_callbacks
):
    settings.FDX_EXPORT_BACKGROUND_ROWS = 3
    owner = persona("uz_police_analyst")
    client.force_login(owner)

    offer = client.get("/cases/export.json", {"seized_from": "2000-01-01", "page": "2"})
    with django_capture_on_commit_callbacks(execute=True):
        started = client.post("/cases/exports/start/?seized_from=2000-01-01", {"format": "json"})

    run = ExportRun.objects.get()
    assert offer.status_code == 200 and not offer.streaming
    assert b'action="/cases/exports/start/?seized_from=2000-01-01"' in offer.content
    assert started.status_code == 302 and started["Location"] == f"/cases/exports/{run.global_id}/"
    assert run.filters["seized_from"] == "2000-01-01" and run.state == ExportRunState.DONE
    page = client.get(started["Location"]).content.decode()
    assert f"/cases/exports/{run.global_id}/download" in page and "export-run.js" in page
    status = client.get(f"/cases/exports/{run.global_id}/status.json").json()
    assert status["state"] == "done" and status["percent"] == 100 and status["active"] is False
    assert status["rows_written"] == exports.visible_findings(owner, EVERYTHING).count() > 3
    assert str(run.global_id) in client.get("/cases/exports/").content.decode()


def test_a_small_export_still_streams(demo_cases, persona, client):
    client.force_login(persona("uz_police_analyst"))

    response = client.get("/cases/export.csv")

    assert response.streaming and not ExportRun.objects.exists()


def test_the_api_starts_follows_and_downloads_a_run(
    demo_cases, persona, api, django_capture_on_commit_callbacks
):
    owner = persona("uz_police_analyst")

    with django_capture_on_commit_callbacks(execute=True):
        started = api.post("/findings/exports", {"format": "csv", "form": "tablet"}, user=owner)
    body = started.json()
    status = api.get(f"/findings/exports/{body['id']}", user=owner).json()
    download = api.get(f"/findings/exports/{body['id']}/download", user=owner)

    run = ExportRun.objects.get()
    assert started.status_code == 202 and body["id"] == str(run.global_id) and body["state"] == "queued"
    assert (
        status["state"] == "done"
        and status["download"] == f"/api/v1/findings/exports/{run.global_id}/download"
    )
    assert status["rows_written"] == run.rows_written and status["percent"] == 100
    assert b"".join(download.streaming_content).decode() == stored_text(run)
    assert api.get("/findings/exports", user=owner).json()["items"][0]["id"] == str(run.global_id)


def test_the_api_refuses_to_download_a_run_not_ready_and_a_bad_format(demo_cases, persona, api):
    owner = persona("uz_police_analyst")
    run = export_runs.start_export_run(owner, EVERYTHING, "csv")  # queued: its task runs after commit

    not_ready = api.get(f"/findings/exports/{run.global_id}/download", user=owner)
    bad = api.post("/findings/exports", {"format": "xlsx"}, user=owner)

    assert not_ready.status_code == 409 and not_ready.json()["error"]["code"] == "export_not_ready"
    assert bad.status_code == 422 and ExportRun.objects.count() == 1
