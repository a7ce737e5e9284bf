"""Intake API: a laboratory's file of cases checked or imported (multipart), its run, the template."""

from __future__ import annotations

import datetime
import uuid

from django.http import HttpResponse
from ninja import Field, File, Form, Query, Router, Schema, Status
from ninja.files import UploadedFile

from fdx.intake import actions, schema, selectors

router = Router(tags=["intake"])


class ProblemOut(Schema):
    file: str
    line: int | None = Field(None, description="The row as the spreadsheet shows it")
    column: str
    value: str
    message: str


class RunOut(Schema):
    id: uuid.UUID = Field(alias="global_id")
    file_name: str
    file_sha256: str
    file_size_bytes: int
    state: str = Field(description="checked, imported, partly_imported or refused")
    dry_run: bool
    partial: bool
    rows_read: int
    rows_refused: int
    cases_written: int
    cases_replaced: int = Field(description="Draft cases of an earlier import replaced by this file's")
    findings_written: int
    problem_count: int
    unresolved_names: list[str]
    created_at: datetime.datetime


class RunDetailOut(RunOut):
    problems: list[ProblemOut] = Field(description="The problems the run kept (the first 10,000)")


class TemplateQuery(Schema):
    lang: str = Field("en", pattern="^(en|ru)$")
    format: str = Field("csv", pattern="^(csv|xlsx)$")


@router.post("/runs", response={201: RunDetailOut}, summary="Check or import a file of cases (CSV or XLSX)")
def create_run(
    request,
    file: File[UploadedFile],
    mapping: str = Form("", description="Name of your laboratory's saved mapping"),
    dry_run: bool = Form(False, description="Check every row; write nothing"),
    partial: bool = Form(False, description="Import the cases without problems; refuse the others"),
):
    """One row per finding. The run is recorded whatever comes of it: its state and problems say what."""
    chosen = selectors.get_mapping(request.user, mapping) if mapping else None
    outcome = actions.import_file(
        request.user, file, file.name or "upload", mapping=chosen, dry_run=dry_run, partial=partial
    )
    return Status(201, outcome.run)


@router.get("/runs", response=list[RunOut], summary="Your laboratory's import runs, newest first")
def list_runs(request):
    return list(selectors.runs_for(request.user)[:100])


@router.get("/runs/{uuid:import_run_id}", response=RunDetailOut, summary="One import run, with its problems")
def get_run(request, import_run_id: uuid.UUID):
    return selectors.get_run(request.user, import_run_id)


class UndoIn(Schema):
    reason: str = Field(min_length=1, max_length=500, description="Why (kept in the audit chain)")


@router.post(
    "/runs/{uuid:import_run_id}/undo", response=RunOut, summary="Undo an import (its cases still drafts)"
)
def undo_run(request, import_run_id: uuid.UUID, payload: UndoIn):
    run = selectors.get_run(request.user, import_run_id)
    return actions.undo_run(request.user, run, reason=payload.reason)


@router.get("/template", summary="The template of the import format", response={200: None})
def template(request, query: Query[TemplateQuery]):
    if query.format == "xlsx":
        response = HttpResponse(
            schema.template_xlsx(query.lang),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
    else:
        response = HttpResponse(schema.template_csv(query.lang), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = (
        f'attachment; filename="fdx-import-template-{query.lang}.{query.format}"'
    )
    return response
