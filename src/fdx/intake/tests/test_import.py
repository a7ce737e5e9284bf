"""A laboratory's file of cases, checked and imported: every problem named by file, row and column, in the
user's language; all or nothing, or the valid cases only; drafts for the laboratory to review; nothing
imported twice; a saved mapping for files that do not follow the template."""

import csv
import io
import json
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied

from fdx.audit.models import AuditEvent
from fdx.examinations.choices import ExaminationStatus
from fdx.examinations.models import Case, Examination, Finding
from fdx.intake import actions, schema
from fdx.intake.choices import ImportRunState
from fdx.intake.models import ImportedCase, ImportRun
from fdx.intake.rows import Mapping
from fdx.testing.personas import organisation

pytestmark = pytest.mark.django_db

HEADERS_EN = [column.header_en for column in schema.COLUMNS]


def row(**values) -> dict:
    base = {
        "reference": "KZ-IMP-1",
        "agency_case_number": "УД-24-1",
        "seizure_date": "2024-03-05",
        "seizure_country": "KZ",
        "seizure_region": "KZ-75",
        "locality": "Almaty",
        "seizure_context": "internal",
        "distribution_level": "",
        "label": "1",
        "form": "crystal",
        "colour": "white",
        "logo": "",
        "unit_count": "",
        "gross_mass_g": "12.8",
        "net_mass_g": "10.4",
        "received_date": "2024-03-06",
        "completed_date": "2024-03-11",
        "methods": "GC-MS",
        "conclusion": "",
        "substance": "methamphetamine",
        "result_type": "",
        "role": "",
        "purity_percent": "72.5",
    }
    base.update(values)
    return base


def csv_file(rows: list[dict], *, language="en", delimiter=",", encoding="utf-8") -> io.BytesIO:
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=delimiter)
    writer.writerow([column.header(language) for column in schema.COLUMNS])
    for values in rows:
        writer.writerow([values.get(column.key, "") for column in schema.COLUMNS])
    return io.BytesIO(buffer.getvalue().encode(encoding))


def run(persona, rows, name="cases.csv", **options):
    return actions.import_file(persona("kz_lab_chemist"), csv_file(rows), name, **options)


def where(outcome):
    return {(p.line, p.column) for p in outcome.problems}


def test_a_file_following_the_template_becomes_draft_cases_for_the_laboratory_to_review(persona):
    outcome = run(
        persona,
        [
            row(),
            row(substance="caffeine", role="cutting_agent", purity_percent=""),
            row(reference="KZ-IMP-2", label="1", form="tablet", unit_count="20", substance="MDMA"),
        ],
    )

    assert outcome.problems == []
    run_ = outcome.run
    assert (run_.state, run_.rows_read, run_.cases_written, run_.findings_written) == ("imported", 3, 2, 3)
    case = Case.objects.get(reference="KZ-IMP-1")
    assert case.owner_organisation == organisation("demo-kz-forensic-centre")
    examination = Examination.objects.get(exhibit__case=case)
    assert examination.status == ExaminationStatus.DRAFT
    assert examination.examiner == persona("kz_lab_chemist")
    assert [m.code for m in examination.methods.all()] == ["gc_ms"]
    findings = list(Finding.objects.filter(examination=examination).order_by("position"))
    assert [(f.substance.name_en.lower(), f.role, f.result_type) for f in findings][1][1:] == (
        "cutting_agent",
        "qualitative",
    )
    assert findings[0].result_type == "quantitative" and findings[0].purity_percent == Decimal("72.5")
    assert ImportedCase.objects.filter(run=run_).count() == 2
    assert AuditEvent.objects.filter(action="intake.file.imported", object_id=str(run_.global_id)).exists()
    assert len(run_.file_sha256) == 64 and run_.file_size_bytes > 0


def test_russian_headers_semicolons_and_windows_1251_are_read(persona):
    data = csv_file(
        [row(purity_percent="72,5 %", net_mass_g="10,4 г", gross_mass_g="12,8 г", seizure_date="05.03.2024")],
        language="ru",
        delimiter=";",
        encoding="cp1251",
    )
    outcome = actions.import_file(persona("kz_lab_chemist"), data, "дела.csv")

    assert outcome.problems == [], [str(p) for p in outcome.problems]
    examination = Examination.objects.get(exhibit__case__reference="KZ-IMP-1")
    assert examination.exhibit.net_mass_g == Decimal("10.4")
    assert Finding.objects.get(examination=examination).purity_percent == Decimal("72.5")


def test_a_dry_run_reports_every_problem_by_row_and_column_and_writes_nothing(persona):
    outcome = run(
        persona,
        [
            row(),
            row(reference="KZ-IMP-2", substance="no such powder"),
            row(reference="KZ-IMP-3", net_mass_g="20", gross_mass_g="12.8"),
            row(reference="KZ-IMP-4", seizure_date="2099-01-01"),
            row(reference="KZ-IMP-5", seizure_region="UZ-TK"),
            row(reference="KZ-IMP-6", purity_percent="abc"),
        ],
        dry_run=True,
    )

    assert outcome.run.state == ImportRunState.CHECKED
    assert not Case.objects.filter(reference__startswith="KZ-IMP").exists()
    found = where(outcome)
    assert (3, "Substance") in found
    assert (4, "Net mass, g") in found or (4, "Gross mass, g") in found
    assert (5, "Seizure date") in found
    assert (6, "Region of seizure") in found
    assert (7, "Purity, %") in found
    assert (2, "Substance") not in found
    assert outcome.run.unresolved_names == ["no such powder"]
    assert outcome.run.rows_refused == 5


def test_one_bad_row_refuses_the_whole_file_unless_the_valid_cases_are_asked_for(persona):
    rows = [
        row(),
        row(reference="KZ-IMP-2", label="1"),
        row(reference="KZ-IMP-2", label="2", form="nonsense"),
    ]
    refused = run(persona, rows)
    assert refused.run.state == ImportRunState.REFUSED
    assert not Case.objects.filter(reference__startswith="KZ-IMP").exists()
    assert (4, "Form") in where(refused)

    partial = run(persona, rows, partial=True)
    assert partial.run.state == ImportRunState.PARTLY_IMPORTED
    assert list(Case.objects.filter(reference__startswith="KZ-IMP").values_list("reference", flat=True)) == [
        "KZ-IMP-1"
    ]
    assert partial.run.rows_refused == 2  # the whole of case KZ-IMP-2, both its rows


def test_the_same_exhibit_with_two_masses_is_a_problem_of_the_later_row(persona):
    outcome = run(persona, [row(), row(substance="caffeine", net_mass_g="9.9")], dry_run=True)
    [problem] = outcome.problems
    assert (problem.line, problem.column) == (3, "Net mass, g")
    assert "row 2" in problem.message


def test_importing_a_corrected_file_replaces_the_drafts_it_created_and_duplicates_nothing(persona):
    run(persona, [row(), row(reference="KZ-IMP-2")])
    corrected = run(persona, [row(purity_percent="70.1"), row(reference="KZ-IMP-2")], name="cases-v2.csv")

    assert corrected.run.state == ImportRunState.IMPORTED, [str(p) for p in corrected.problems]
    assert corrected.run.cases_replaced == 2
    assert Case.objects.filter(reference="KZ-IMP-1").count() == 1
    finding = Finding.objects.get(examination__exhibit__case__reference="KZ-IMP-1")
    assert finding.purity_percent == Decimal("70.1")
    assert AuditEvent.objects.filter(action="examinations.cases.removed_in_batch").exists()


def test_a_case_someone_has_worked_on_since_is_not_replaced(persona):
    from fdx.examinations.actions import submit_examination

    run(persona, [row()])
    chemist = persona("kz_lab_chemist")
    examination = Examination.objects.get(exhibit__case__reference="KZ-IMP-1")
    submit_examination(chemist, examination)

    again = run(persona, [row(purity_percent="70.1")])

    assert again.run.state == ImportRunState.REFUSED
    assert any("already recorded" in p.message for p in again.problems)
    assert Examination.objects.get(exhibit__case__reference="KZ-IMP-1").status == "submitted"


def test_an_import_is_undone_while_its_cases_are_drafts(persona):
    from django.core.exceptions import ValidationError

    outcome = run(persona, [row(), row(reference="KZ-IMP-2")])
    chemist = persona("kz_lab_chemist")
    with pytest.raises(ValidationError):
        actions.undo_run(chemist, outcome.run, reason="")

    actions.undo_run(chemist, outcome.run, reason="The wrong year's file")

    assert not Case.objects.filter(reference__startswith="KZ-IMP").exists()
    assert ImportRun.objects.get(pk=outcome.run.pk).state == ImportRunState.UNDONE
    assert AuditEvent.objects.filter(action="intake.run.undone", reason="The wrong year's file").exists()
    with pytest.raises(ValidationError):
        actions.undo_run(chemist, outcome.run, reason="twice")


def test_an_import_whose_case_was_worked_on_is_not_undone(persona):
    from django.core.exceptions import ValidationError

    from fdx.examinations.actions import submit_examination

    outcome = run(persona, [row(), row(reference="KZ-IMP-2")])
    submit_examination(
        persona("kz_lab_chemist"), Examination.objects.get(exhibit__case__reference="KZ-IMP-2")
    )

    with pytest.raises(ValidationError) as error:
        actions.undo_run(persona("kz_lab_chemist"), outcome.run, reason="wrong file")

    assert "KZ-IMP-2" in str(error.value)
    assert Case.objects.filter(reference__startswith="KZ-IMP").count() == 2


def test_a_saved_mapping_reads_a_laboratory_s_own_columns_units_words_and_names(persona):
    chemist = persona("kz_lab_chemist")
    from fdx.substances.selectors import resolve_substance

    substance = resolve_substance("mephedrone")
    mapping = actions.save_mapping(
        chemist,
        chemist.organisation,
        "old-lims",
        Mapping(
            columns={
                "Вес нетто (мг)": "net_mass_g",
                "Вес брутто (мг)": "gross_mass_g",
                "Объект": "form",
                "Поступило": "received_date",
            },
            units={"net_mass_g": "mg", "gross_mass_g": "mg"},
            values={"form": {"кристаллы": "crystal"}},
            substances={"меф": str(substance.global_id)},
        ),
    )
    headers = ["Номер дела лаборатории", "Дата изъятия", "Страна изъятия", "Обстоятельства изъятия"]
    headers += ["Номер объекта", "Объект", "Вес брутто (мг)", "Вес нетто (мг)", "Вещество", "Поступило"]
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(headers)
    writer.writerow(
        ["KZ-LIMS-1", "2024-05-01", "KZ", "internal", "1", "кристаллы", "1500", "1200", "меф", "02.05.2024"]
    )
    outcome = actions.import_file(
        chemist, io.BytesIO(buffer.getvalue().encode()), "lims.csv", mapping=mapping
    )

    assert outcome.problems == [], [str(p) for p in outcome.problems]
    examination = Examination.objects.get(exhibit__case__reference="KZ-LIMS-1")
    assert examination.exhibit.net_mass_g == Decimal("1.2") and examination.exhibit.form == "crystal"
    assert Finding.objects.get(examination=examination).substance == substance
    assert outcome.run.mapping_used["units"]["net_mass_g"] == "mg"


def test_a_mapping_naming_unknown_fields_values_or_substances_is_refused(persona):
    from django.core.exceptions import ValidationError

    chemist = persona("kz_lab_chemist")
    with pytest.raises(ValidationError) as error:
        actions.save_mapping(
            chemist,
            chemist.organisation,
            "bad",
            Mapping(
                columns={"X": "no_such_field"},
                units={"net_mass_g": "pound"},
                values={"form": {"кристаллы": "crystals"}},
                substances={"меф": "not-an-id"},
            ),
        )
    assert len(error.value.messages) == 4


def test_only_staff_who_record_cases_import_and_only_for_their_laboratory(persona):
    with pytest.raises(PermissionDenied):
        actions.import_file(persona("kz_lab_viewer"), csv_file([row()]), "cases.csv")
    with pytest.raises(PermissionDenied):
        actions.import_file(
            persona("kz_lab_chemist"),
            csv_file([row()]),
            "cases.csv",
            laboratory=organisation("demo-kg-forensic-service"),
        )


def test_a_file_that_is_not_a_spreadsheet_is_refused_with_its_name_and_recorded(persona):
    outcome = actions.import_file(persona("kz_lab_chemist"), io.BytesIO(b"%PDF-1.7\n%\xe2\xe3"), "scan.pdf")

    assert outcome.run.state == ImportRunState.REFUSED
    [problem] = outcome.problems
    assert problem.file == "scan.pdf" and "scan.pdf" not in problem.message  # named once, as the file
    assert ImportRun.objects.filter(file_name="scan.pdf", state="refused").exists()


def test_the_command_line_checks_imports_and_writes_the_problems(persona, tmp_path):
    from typer.testing import CliRunner

    from fdx.cli import app

    persona("kz_lab_chemist")
    path = tmp_path / "cases.csv"
    path.write_bytes(csv_file([row(), row(reference="KZ-IMP-2", substance="no such powder")]).getvalue())
    runner = CliRunner()
    common = ["--laboratory", "demo-kz-forensic-centre", "--examiner", "kz_lab_chemist"]

    checked = runner.invoke(
        app, ["import", str(path), *common, "--dry-run", "--json", "--problems-csv", str(tmp_path / "p.csv")]
    )
    assert checked.exit_code == 0, checked.output
    assert json.loads(checked.stdout)["state"] == "checked"
    assert "no such powder" in (tmp_path / "p.csv").read_text(encoding="utf-8-sig")
    refused = runner.invoke(app, ["import", str(path), *common])
    assert refused.exit_code == 1
    partial = runner.invoke(app, ["import", str(path), *common, "--partial"])
    assert partial.exit_code == 0, partial.output
    assert Case.objects.filter(reference="KZ-IMP-1").exists()
    template = runner.invoke(app, ["import", "template", "--lang", "ru"])
    assert template.exit_code == 0 and "Номер дела лаборатории" in template.stdout


def test_the_xlsx_template_names_every_column_with_its_meaning(tmp_path):
    from openpyxl import load_workbook

    path = tmp_path / "template.xlsx"
    path.write_bytes(schema.template_xlsx("ru"))
    workbook = load_workbook(path)
    findings, guide = workbook.worksheets
    assert [cell.value for cell in findings[1]] == [column.header_ru for column in schema.COLUMNS]
    assert guide.max_row == len(schema.COLUMNS) + 1
