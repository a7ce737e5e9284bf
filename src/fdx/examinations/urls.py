from django.urls import path

from fdx.examinations.views import cases as views
from fdx.examinations.views import exports, reports

app_name = "examinations"
urlpatterns = [
    path("", views.case_list, name="cases"),
    path("new/", views.case_create, name="case-create"),
    path("export.csv", exports.case_export, name="case-export"),
    path("export.json", exports.case_export_json, name="case-export-json"),
    path("exports/", exports.run_list, name="export-runs"),
    path("exports/start/", exports.run_start, name="export-run-start"),
    path("exports/<uuid:run_id>/", exports.run_detail, name="export-run"),
    path("exports/<uuid:run_id>/status.json", exports.run_status, name="export-run-status"),
    path("exports/<uuid:run_id>/cancel/", exports.run_cancel, name="export-run-cancel"),
    path("exports/<uuid:run_id>/download", exports.run_download, name="export-run-download"),
    path("<uuid:case_id>/", views.case_detail, name="case"),
    path("<uuid:case_id>/edit/", views.case_edit, name="case-edit"),
    path("<uuid:case_id>/exhibits/", views.exhibit_create, name="exhibit-create"),
    path("<uuid:case_id>/attachments/", views.attachment_create, name="attachment-create"),
    path("<uuid:case_id>/notes/", views.note_create, name="case-note-create"),
    path("notes/<uuid:note_id>/delete/", views.note_delete, name="case-note-delete"),
    path("exhibits/<uuid:exhibit_id>/edit/", views.exhibit_edit, name="exhibit-edit"),
    path("exhibits/<uuid:exhibit_id>/examinations/", views.examination_create, name="examination-create"),
    path("examinations/<uuid:examination_id>/", views.examination_detail, name="examination"),
    path("examinations/<uuid:examination_id>/report/", reports.report_page, name="report"),
    path("examinations/<uuid:examination_id>/report.pdf", reports.report_pdf, name="report-pdf"),
    path("examinations/<uuid:examination_id>/report.json", reports.report_json, name="report-json"),
    path("examinations/<uuid:examination_id>/edit/", views.examination_edit, name="examination-edit"),
    path("examinations/<uuid:examination_id>/findings/", views.finding_create, name="finding-create"),
    path(
        "examinations/<uuid:examination_id>/discard/", views.examination_discard, name="examination-discard"
    ),
    path(
        "examinations/<uuid:examination_id>/approve/",
        views.examination_review,
        {"decision": "approve"},
        name="examination-approve",
    ),
    path(
        "examinations/<uuid:examination_id>/return/",
        views.examination_review,
        {"decision": "return"},
        name="examination-return",
    ),
    path(
        "examinations/<uuid:examination_id>/<str:transition>/",
        views.examination_transition,
        name="examination-transition",
    ),
    path("findings/<uuid:finding_id>/delete/", views.finding_delete, name="finding-delete"),
    path("attachments/<uuid:attachment_id>/", views.attachment_download, name="attachment"),
]
