"""Substance registry pages: search, a substance's page, its structure drawing, registering a substance."""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from fdx.core.forms_support import add_action_errors
from fdx.core.paging import page_for
from fdx.substances import actions, chem, selectors
from fdx.substances.extensions import SubstanceRef, panels_for
from fdx.substances.forms import SubstanceForm, SubstanceSearchForm
from fdx.substances.models import Substance


@login_required
def substance_list(request):
    """Search by name in any language, CAS, InChIKey, or by exact, sub- or similar structure."""
    classes = selectors.class_choices()
    form = SubstanceSearchForm(request.GET or None, class_choices=[(c.code, c.name) for c in classes])
    results, scores, error = selectors.substances_queryset().order_by("name_en"), {}, None
    if form.is_valid():
        try:
            results, scores = _search(form.cleaned_data)
        except ValidationError as exc:
            error = " ".join(exc.messages)
            results = Substance.objects.none()
        code = form.cleaned_data.get("substance_class")
        if code:
            results = (
                results.filter(classes__code=code)
                if not isinstance(results, list)
                else [s for s in results if code in {c.code for c in s.classes.all()}]
            )
    page = page_for(request, results, 50)
    return render(
        request,
        "substances/list.html",
        {
            "form": form,
            "page": page,
            "scores": scores,
            "error": error,
            "classes": classes,
            "can_add": request.user.has_perm("substances.add_substance"),
        },
    )


def _search(data):
    text, mode = (data.get("q") or "").strip(), data.get("mode") or "name"
    if not text:
        return selectors.substances_queryset().order_by("name_en"), {}
    if mode == "exact":
        return selectors.search_exact_structure(text), {}
    if mode == "substructure":
        return [hit.substance for hit in selectors.search_substructure(text)], {}
    if mode == "similarity":
        hits = selectors.search_similar(text, threshold=data.get("threshold") or 0.7)
        return [hit.substance for hit in hits], {hit.substance.pk: hit.score for hit in hits}
    if len(text) == 27 and text.count("-") == 2:
        return selectors.search_by_inchikey(text), {}
    return selectors.search_by_name(text), {}


@login_required
def substance_detail(request, substance_id):
    substance = selectors.get_substance(substance_id)
    return render(
        request,
        "substances/detail.html",
        {
            "substance": substance,
            "names": substance.names.all(),
            "salt_forms": substance.salt_forms.all().order_by("name_en"),
            "can_change": request.user.has_perm("substances.change_substance"),
            "panels": panels_for(SubstanceRef(substance, substance.inchikey, substance.name)),
        },
    )


@login_required
@require_GET
def structure_svg(request, substance_id):
    """The structure drawing (SVG, cached by RDKit's depiction per SMILES; the browser may keep it a day)."""
    smiles = Substance.objects.filter(global_id=substance_id).values_list("smiles", flat=True).first()
    if not smiles:
        raise Http404
    width, height = (160, 120) if request.GET.get("size") == "small" else (320, 240)
    response = HttpResponse(chem.depict_svg(smiles, width, height), content_type="image/svg+xml")
    response["Cache-Control"] = "private, max-age=86400"
    return response


@login_required
def substance_create(request):
    if not request.user.has_perm("substances.add_substance"):
        raise PermissionDenied(_("You may not register substances."))
    form = SubstanceForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = actions.SubstanceInput(
            name_en=form.cleaned_data["name_en"],
            name_ru=form.cleaned_data["name_ru"],
            structure=form.cleaned_data["structure"],
            cas_number=form.cleaned_data["cas_number"],
            synonyms=form.synonym_list(),
            note=form.cleaned_data["note"],
        )
        try:
            substance = actions.create_substance(request.user, data)
        except ValidationError as exc:
            add_action_errors(form, exc)
        else:
            return redirect("substances:detail", substance_id=substance.global_id)
    return render(request, "substances/form.html", {"form": form})
