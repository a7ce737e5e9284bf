"""Django admin for the legal framework (instruments, lists, incorporations, generic definitions, thresholds).

Each object is changed only by a maintainer of its jurisdiction, and a generic definition or threshold only
on the node it comes from (``legal.actions.may_change_fact``). The admin writes nothing itself: saves and
deletions go through ``legal.actions`` (``save_legal_fact``, ``delete_legal_fact``, ``set_generic_examples``),
which audit them and move the legal data version on. Listings are not edited here: their own pages keep
every correction on record.
"""

from django import forms
from django.contrib import admin, messages
from django.db import models
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from rdkit import Chem

from fdx.core.admin import ReadOnlyAdmin
from fdx.legal.actions import (
    check_generic_code,
    check_generic_rule,
    delete_legal_fact,
    may_change_fact,
    may_delete_fact,
    may_maintain,
    save_legal_fact,
    set_generic_examples,
)
from fdx.legal.engine import generic
from fdx.legal.models import (
    ControlList,
    GenericDefinition,
    GenericExample,
    Instrument,
    Jurisdiction,
    ListIncorporation,
    Listing,
    QuantityThreshold,
)


class LegalAdmin(admin.ModelAdmin):
    """Scoped to the jurisdictions the user maintains; every write is an action of ``legal.actions``."""

    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}

    def has_change_permission(self, request, obj=None):
        allowed = super().has_change_permission(request, obj)
        return allowed and (obj is None or may_change_fact(request.user, obj))

    def has_delete_permission(self, request, obj=None):
        # A shipped fact is ended or corrected, never deleted.
        allowed = super().has_delete_permission(request, obj)
        return allowed and (obj is None or may_delete_fact(request.user, obj))

    def delete_queryset(self, request, queryset):
        kept = []
        for obj in queryset:
            if may_delete_fact(request.user, obj):
                delete_legal_fact(request.user, obj)
            else:
                kept.append(obj)
        if kept:
            messages.warning(
                request,
                _(
                    "%(count)d of them were kept: facts of the reference content, of another jurisdiction, "
                    "or received from another node are not deleted."
                )
                % {"count": len(kept)},
            )

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        """Only the jurisdictions (and their lists) the user maintains are offered."""
        if db_field.related_model is Jurisdiction:
            kwargs["queryset"] = Jurisdiction.objects.filter(
                code__in=[j.code for j in Jurisdiction.objects.all() if may_maintain(request.user, j)]
            )
        elif db_field.related_model is ControlList:
            kwargs["queryset"] = ControlList.objects.filter(
                pk__in=[
                    c.pk
                    for c in ControlList.objects.select_related("jurisdiction")
                    if may_maintain(request.user, c.jurisdiction)
                ]
            )
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def save_model(self, request, obj, form, change):
        # The action checks, marks a node's own edit (``maintained_locally``), audits and moves the version.
        save_legal_fact(request.user, obj)

    def save_related(self, request, form, formsets, change):
        """The framework's models have no many-to-many fields; an inline is saved by its admin's action."""
        if formsets:
            raise NotImplementedError(f"{type(self).__name__} must save its inlines through an action")

    def delete_model(self, request, obj):
        delete_legal_fact(request.user, obj)


@admin.register(Jurisdiction)
class JurisdictionAdmin(ReadOnlyAdmin):
    list_display = ("code", "name_en", "name_ru", "kind", "lists_complete")


@admin.register(Instrument)
class InstrumentAdmin(LegalAdmin):
    list_display = ("code", "jurisdiction", "title_en", "adopted_on", "in_force_from", "verified")
    list_filter = ("jurisdiction", "verified")
    search_fields = ("code", "title_en", "title_ru", "number")


@admin.register(ControlList)
class ControlListAdmin(LegalAdmin):
    list_display = (
        "code",
        "jurisdiction",
        "name_en",
        "kind",
        "covers_salts",
        "covers_stereoisomers",
        "covers_esters_ethers",
        "verified",
    )
    list_filter = ("jurisdiction", "kind")

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(ListIncorporation)
class ListIncorporationAdmin(LegalAdmin):
    list_display = (
        "national_list",
        "incorporated_list",
        "effective_from",
        "effective_to",
        "lag_days",
        "verified",
    )
    list_filter = ("national_list__jurisdiction",)


class GenericDefinitionForm(forms.ModelForm):
    source_url = forms.URLField(
        label=gettext_lazy("source"), max_length=500, required=False, assume_scheme="https"
    )

    class Meta:
        model = GenericDefinition
        fields = (
            "code",
            "control_list",
            "name_en",
            "name_ru",
            "kind",
            "rule",
            "legal_text",
            "effective_from",
            "effective_to",
            "instrument",
            "source_url",
            "verified",
            "maintained_locally",
        )

    def clean_code(self):
        """A deleted definition keeps its code (its tombstone): the code is not given again."""
        code = self.cleaned_data["code"]
        check_generic_code(code, self.instance)
        return code

    def clean_rule(self):
        """The rule must compile: a bad SMARTS, SMILES or substituent kind is named here, not later (and
        ``save_legal_fact`` checks it again)."""
        rule = self.cleaned_data["rule"]
        check_generic_rule(self.cleaned_data.get("kind"), rule)
        return rule


class ExampleInline(admin.TabularInline):
    model = GenericExample
    extra = 1


@admin.register(GenericDefinition)
class GenericDefinitionAdmin(LegalAdmin):
    form = GenericDefinitionForm
    list_display = ("code", "control_list", "kind", "effective_from", "effective_to", "verified")
    list_filter = ("kind", "control_list__jurisdiction")
    inlines = [ExampleInline]

    def save_related(self, request, form, formsets, change):
        """The worked examples are part of the definition: ``set_generic_examples`` writes and audits them."""
        for formset in formsets:
            formset.save(commit=False)  # what the inline says (and the admin's history names); no write
            deleted = {example.pk for example in formset.deleted_objects}
            kept = [f.instance for f in formset.initial_forms if f.instance.pk not in deleted]
            set_generic_examples(request.user, form.instance, [*kept, *formset.new_objects])
        for example in failing_examples(form.instance):
            messages.warning(
                request, _("Worked example %(name)s does not come out as it should.") % {"name": example.name}
            )


def failing_examples(definition: GenericDefinition) -> list[GenericExample]:
    """The worked examples the definition's rule does not decide as they say."""
    if definition.kind == "analogue_similarity":
        return []
    wrong = []
    excluded = set()
    for item in definition.rule.get("exclude", []):
        mol = Chem.MolFromSmiles(item["smiles"])
        if mol is not None:
            excluded.add(Chem.MolToInchiKey(mol)[:14])
    for example in definition.examples.all():
        mol = Chem.MolFromSmiles(example.smiles)
        if mol is None:
            wrong.append(example)
            continue
        matched = (
            Chem.MolToInchiKey(mol)[:14] not in excluded and generic.match(definition.rule, mol) is not None
        )
        if matched != example.must_match:
            wrong.append(example)
    return wrong


@admin.register(QuantityThreshold)
class QuantityThresholdAdmin(LegalAdmin):
    list_display = (
        "jurisdiction",
        "entry_name",
        "small_max_g",
        "significant_min_g",
        "large_min_g",
        "especially_large_min_g",
        "basis",
        "effective_from",
        "verified",
    )
    list_filter = ("jurisdiction", "verified")
    search_fields = ("entry_name",)
    autocomplete_fields = ("substance",)
    readonly_fields = ("inchikey",)


@admin.register(Listing)
class ListingAdmin(ReadOnlyAdmin):
    list_display = ("name_en", "control_list", "effective_from", "effective_to", "verified", "recorded_to")
    list_filter = ("control_list__jurisdiction", "verified")
    search_fields = ("name_en", "name_ru", "inchikey")
