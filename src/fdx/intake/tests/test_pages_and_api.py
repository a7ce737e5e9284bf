"""The import page and the API: a file uploaded, checked, then imported; the run with its problems; the
template; only the laboratory's own staff."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from fdx.examinations.models import Case
from fdx.intake.models import ImportRun
from fdx.intake.tests.test_import import csv_file, row

pytestmark = pytest.mark.django_db


def test_a_chemist_checks_then_imports_a_file_on_the_page_in_russian(client, persona):
    client.force_login(persona("kz_lab_chemist"))
    rows = [row(), row(reference="KZ-IMP-2", substance="no such powder")]
    page = client.get("/import/", HTTP_ACCEPT_LANGUAGE="ru")
    assert page.status_code == 200 and "Импорт дел из файла" in page.content.decode()

    checked = client.post(
        "/import/",
        {"file": SimpleUploadedFile("дела.csv", csv_file(rows).getvalue()), "dry_run": "on"},
        HTTP_ACCEPT_LANGUAGE="ru",
        follow=True,
    )
    text = checked.content.decode()
    assert "no such powder" in text and 'id="problems"' in text
    run = ImportRun.objects.get(file_name="дела.csv")
    assert run.state == "checked" and not Case.objects.filter(reference="KZ-IMP-1").exists()
    problems = client.get(f"/import/runs/{run.global_id}/problems.csv")
    assert "no such powder" in problems.content.decode("utf-8-sig")

    imported = client.post(
        "/import/",
        {"file": SimpleUploadedFile("дела.csv", csv_file(rows).getvalue()), "partial": "on"},
        follow=True,
    )
    assert imported.status_code == 200
    assert Case.objects.filter(reference="KZ-IMP-1").exists()
    assert not Case.objects.filter(reference="KZ-IMP-2").exists()


def test_the_templates_download_in_either_language(client, persona):
    client.force_login(persona("kz_lab_chemist"))
    russian = client.get("/import/template.csv?lang=ru")
    assert "Номер дела лаборатории" in russian.content.decode("utf-8-sig")
    workbook = client.get("/import/template.xlsx?lang=en")
    assert workbook.content[:2] == b"PK"


def test_the_page_is_for_staff_who_record_cases(client, persona):
    client.force_login(persona("kz_lab_viewer"))
    assert client.get("/import/").status_code == 403


def test_the_api_takes_the_same_file_and_reports_the_run(api, persona):
    chemist = persona("kz_lab_chemist")
    data = {"file": SimpleUploadedFile("cases.csv", csv_file([row()]).getvalue()), "dry_run": "true"}
    created = api.client.post("/api/v1/intake/runs", data, **api._headers(chemist))
    assert created.status_code == 201, created.content
    body = created.json()
    assert body["state"] == "checked" and body["rows_read"] == 1 and body["problems"] == []
    again = api.get(f"/intake/runs/{body['id']}", user=chemist)
    assert again.json()["file_name"] == "cases.csv"
    assert [r["id"] for r in api.get("/intake/runs", user=chemist).json()] == [body["id"]]
    assert api.get(f"/intake/runs/{body['id']}", user=persona("kg_lab_chemist")).status_code in (403, 404)
    template = api.get("/intake/template", user=chemist, lang="ru", format="csv")
    assert "Номер дела лаборатории" in template.content.decode("utf-8-sig")


def test_an_import_is_undone_from_its_page_and_through_the_api(client, api, persona):
    from fdx.intake import actions

    chemist = persona("kz_lab_chemist")
    first = actions.import_file(chemist, csv_file([row()]), "a.csv").run
    client.force_login(chemist)
    page = client.get(f"/import/runs/{first.global_id}/")
    assert 'id="undo-form"' in page.content.decode()
    client.post(f"/import/runs/{first.global_id}/undo/", {"reason": "wrong file"})
    assert not Case.objects.filter(reference="KZ-IMP-1").exists()

    second = actions.import_file(chemist, csv_file([row()]), "b.csv").run
    undone = api.post(f"/intake/runs/{second.global_id}/undo", {"reason": "wrong file"}, user=chemist)
    assert undone.status_code == 200, undone.content
    assert undone.json()["state"] == "undone"
    again = api.post(f"/intake/runs/{second.global_id}/undo", {"reason": "again"}, user=chemist)
    assert again.status_code in (400, 422)
