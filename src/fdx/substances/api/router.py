"""Substance registry API: search (name, InChIKey, exact, substructure, similarity), read, create, change."""

import tempfile
import uuid
from pathlib import Path
from typing import Literal

from django.core.exceptions import ValidationError
from ninja import File, Query, Router, Schema, Status
from ninja.files import UploadedFile
from ninja.pagination import paginate

from fdx.core.api.errors import ApiError
from fdx.core.api.pagination import KeysetPagination
from fdx.substances import actions, selectors
from fdx.substances.api.schemas import (
    SubstanceClassOut,
    SubstanceImportOut,
    SubstanceIn,
    SubstanceOut,
    SubstancePatch,
)

router = Router(tags=["substances"])


class SubstanceFilters(Schema):
    q: str | None = None
    substance_class: str | None = None
    inchikey: str | None = None
    structure: str | None = None
    mode: Literal["exact", "substructure", "similarity"] = "exact"
    threshold: float = 0.7


@router.get("/substances", response=list[SubstanceOut], summary="Search the substance registry")
@paginate(KeysetPagination)
def list_substances(request, filters: Query[SubstanceFilters]):
    """``q`` searches names in any language, CAS and InChIKey; ``structure`` with ``mode`` searches by
    structure (SMILES or SMARTS for substructure); ``substance_class`` filters by class code."""
    if filters.structure:
        if filters.mode == "exact":
            result = selectors.search_exact_structure(filters.structure)
        elif filters.mode == "substructure":
            result = [hit.substance for hit in selectors.search_substructure(filters.structure)]
        else:
            hits = selectors.search_similar(filters.structure, threshold=filters.threshold)
            for hit in hits:
                hit.substance.search_score = round(hit.score, 4)
            result = [hit.substance for hit in hits]
    elif filters.inchikey:
        result = selectors.search_by_inchikey(filters.inchikey)
    elif filters.q:
        result = selectors.search_by_name(filters.q)
    else:
        result = selectors.substances_queryset().order_by("name_en")
    if filters.substance_class:
        if isinstance(result, list):
            return [s for s in result if filters.substance_class in {c.code for c in s.classes.all()}]
        result = result.filter(classes__code=filters.substance_class)
    return result


@router.get("/substances/{uuid:substance_id}", response=SubstanceOut, summary="One substance")
def get_substance(request, substance_id: uuid.UUID):
    return selectors.get_substance(substance_id)


@router.post("/substances", response={201: SubstanceOut}, summary="Register a substance")
def create_substance(request, payload: SubstanceIn):
    substance = actions.create_substance(request.user, actions.SubstanceInput(**payload.dict()))
    return Status(201, selectors.get_substance(substance.global_id))


@router.patch("/substances/{uuid:substance_id}", response=SubstanceOut, summary="Change a substance")
def update_substance(request, substance_id: uuid.UUID, payload: SubstancePatch):
    substance = selectors.get_substance(substance_id)
    values = payload.dict()
    reason = values.pop("reason")
    actions.update_substance(request.user, substance, actions.SubstanceInput(**values), reason=reason)
    return selectors.get_substance(substance_id)


@router.get("/substance-classes", response=list[SubstanceClassOut], summary="The substance classes")
def list_classes(request):
    return selectors.list_classes()


@router.post(
    "/substances/import", response=SubstanceImportOut, summary="Import substances from a CSV or SDF file"
)
def import_substances(request, file: File[UploadedFile], skip_bad: bool = False):
    from fdx.substances.transfer import read_substance_file

    name = Path(file.name or "upload.csv").name
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / name
        with open(path, "wb") as handle:
            for chunk in file.chunks():
                handle.write(chunk)
        try:
            parsed = read_substance_file(path)
        except (ValueError, FileNotFoundError) as exc:
            raise ApiError(422, "invalid", str(exc)) from None
    try:
        counts = actions.import_substances(request.user, parsed, skip_bad=skip_bad)
    except actions.ImportRefused as refused:
        raise ApiError(
            422,
            "invalid",
            "The file has bad records; nothing was imported.",
            {"file": [str(problem) for problem in refused.problems]},
        ) from None
    except ValidationError:
        raise
    return {**counts, "problems": [str(problem) for problem in parsed.problems]}
