"""Django admin for the legal framework (instruments, lists, incorporations, generic definitions, thresholds).

Each object is changed only by a maintainer of its jurisdiction (``legal.actions.may_maintain``); every save
is audited and moves the legal data version on. Listings are not edited here: their own pages keep every
correction on record.
"""

from django import forms
from django.contrib import admin, messages
from django.db import models
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from rdkit import Chem

from fdx.audit import audit_events as admin_events
from fdx.audit.actions import record
from fdx.audit.admin import AuditedModelAdmin
from fdx.core.admin import ReadOnlyAdmin
from fdx.legal.actions import bump_version, is_shipped, may_maintain
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


class LegalAdmin(AuditedModelAdmin):
    """Scoped to the jurisdictions the user maintains; a save or delete invalidates compiled engines."""

    jurisdiction_path = "jurisdiction"
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}

    def _jurisdiction(self, obj):
        for part in self.jurisdiction_path.split("__"):
            obj = getattr(obj, part)
        return obj

    def has_change_permission(self, request, obj=None):
        allowed = super().has_change_permission(request, obj)
        return allowed and (obj is None or may_maintain(request.user, self._jurisdiction(obj)))

    def has_delete_permission(self, request, obj=None):
        allowed = super().has_delete_permission(request, obj)
        if obj is not None and is_shipped(obj):
            return False  # a shipped fact is ended or corrected, never deleted
        return allowed and (obj is None or may_maintain(request.user, self._jurisdiction(obj)))

    def delete_queryset(self, request, queryset):
        kept = [
            obj
            for obj in queryset
            if is_shipped(obj) or not may_maintain(request.user, self._jurisdiction(obj))
        ]
        if kept:
            messages.warning(
                request,
                _(
                    "%(count)d of them were kept: facts of the reference content, or of another "
                    "jurisdiction, are not deleted."
                )
                % {"count": len(kept)},
            )
        super().delete_queryset(request, queryset.exclude(pk__in=[obj.pk for obj in kept]))

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
        if not may_maintain(request.user, self._jurisdiction(obj)):
            raise forms.ValidationError(_("You may maintain only the lists of your own jurisdiction."))
        # A node's own edit outlives the next release of the reference content; clearing the mark (and
        # changing nothing else) hands the fact back to the shipped content at the next load.
        if hasattr(obj, "maintained_locally") and set(form.changed_data) - {"maintained_locally"}:
            obj.maintained_locally = True
        super().save_model(request, obj, form, change)
        bump_version()

    def delete_model(self, request, obj):
        super().delete_model(request, obj)
        bump_version()


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
    jurisdiction_path = "national_list__jurisdiction"
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

    def clean_rule(self):
        """The rule must compile: a bad SMARTS, SMILES or substituent kind is named here, not later."""
        rule = self.cleaned_data["rule"]
        if not isinstance(rule, dict):
            raise forms.ValidationError(_("The rule is a JSON object."))
        if self.cleaned_data.get("kind") != "analogue_similarity" and not ({"parents", "any_of"} & set(rule)):
            raise forms.ValidationError(_("A structural rule needs 'parents' or 'any_of'."))
        try:
            generic.match(rule, Chem.MolFromSmiles("CCN"))
        except (generic.RuleError, KeyError, TypeError) as exc:
            raise forms.ValidationError(str(exc)) from None
        return rule


class ExampleInline(admin.TabularInline):
    model = GenericExample
    extra = 1


@admin.register(GenericDefinition)
class GenericDefinitionAdmin(LegalAdmin):
    form = GenericDefinitionForm
    jurisdiction_path = "control_list__jurisdiction"
    list_display = ("code", "control_list", "kind", "effective_from", "effective_to", "verified")
    list_filter = ("kind", "control_list__jurisdiction")
    inlines = [ExampleInline]

    def save_related(self, request, form, formsets, change):
        before = _examples(form.instance) if change else []
        super().save_related(request, form, formsets, change)
        after = _examples(form.instance)
        if change and after != before:
            # The worked examples are part of the definition: a change is the node's own, and audited.
            GenericDefinition.objects.filter(pk=form.instance.pk).update(maintained_locally=True)
            record(
                admin_events.ADMIN_RECORD_CHANGED,
                actor=request.user,
                obj=form.instance,
                before={"examples": before},
                after={"examples": after},
            )
            bump_version()
        wrong = failing_examples(form.instance)
        for example in wrong:
            messages.warning(
                request, _("Worked example %(name)s does not come out as it should.") % {"name": example.name}
            )


def _examples(definition: GenericDefinition) -> list[list]:
    return [
        [example.name, example.smiles, example.must_match, example.note]
        for example in definition.examples.order_by("name", "smiles")
    ]


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

    def save_model(self, request, obj, form, change):
        # The engine matches a threshold by its substance's parent structure.
        if obj.substance_id:
            obj.inchikey = (obj.substance.parent or obj.substance).inchikey
        super().save_model(request, obj, form, change)


@admin.register(Listing)
class ListingAdmin(ReadOnlyAdmin):
    list_display = ("name_en", "control_list", "effective_from", "effective_to", "verified", "recorded_to")
    list_filter = ("control_list__jurisdiction", "verified")
    search_fields = ("name_en", "name_ru", "inchikey")
