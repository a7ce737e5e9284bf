from django import forms
from django.utils.translation import gettext_lazy as _

from fdx.legal.choices import StereoScope
from fdx.legal.models import ControlList, GenericDefinition, Instrument, Jurisdiction
from fdx.substances.forms import SubstanceField

DATE_INPUT = forms.DateInput(attrs={"type": "date"})


def jurisdiction_choices():
    return [(j.code, f"{j.code} — {j}") for j in Jurisdiction.objects.all()]


class StatusForm(forms.Form):
    """The question of the legal-status page: a structure or a substance, where, when, how much."""

    structure = forms.CharField(
        label=_("Structure (SMILES or InChI)"),
        required=False,
        max_length=20000,
        widget=forms.Textarea(attrs={"rows": 2, "spellcheck": "false"}),
    )
    substance = SubstanceField(
        label=_("Or a substance of the registry"),
        required=False,
        widget=forms.TextInput(
            attrs={"data-autocomplete": "substances", "autocomplete": "off", "list": "substance-options"}
        ),
    )
    date = forms.DateField(
        label=_("On the day"), required=False, widget=DATE_INPUT, help_text=_("Today when empty.")
    )
    amount_g = forms.DecimalField(
        label=_("Mass (g)"),
        required=False,
        min_value=0,
        max_digits=14,
        decimal_places=4,
        help_text=_("For the amount category."),
    )
    jurisdictions = forms.MultipleChoiceField(
        label=_("Jurisdictions"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Every jurisdiction when none is ticked."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["jurisdictions"].choices = jurisdiction_choices()

    def clean(self):
        data = super().clean()
        if not data.get("structure") and not data.get("substance") and not self.errors:
            raise forms.ValidationError(_("Paste a structure or name a substance."))
        if data.get("structure") and data.get("substance"):
            raise forms.ValidationError(_("Give a structure or a substance, not both."))
        return data


class ListingForm(forms.Form):
    """An entry of a list, as a node administrator records or corrects it."""

    list_code = forms.ChoiceField(label=_("List"))
    name_en = forms.CharField(label=_("Name as listed (English)"), max_length=300)
    name_ru = forms.CharField(label=_("Name as listed (Russian)"), max_length=300, required=False)
    registry_key = forms.CharField(
        label=_("Registry substance (reference key)"),
        max_length=100,
        required=False,
        help_text=_("Leave empty to give the structure below instead."),
    )
    smiles = forms.CharField(
        label=_("Structure as listed (SMILES)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2, "spellcheck": "false"}),
    )
    effective_from = forms.DateField(
        label=_("In force from"),
        widget=DATE_INPUT,
        help_text=_("The first day the entry is certainly in force."),
    )
    effective_from_earliest = forms.DateField(
        label=_("In force at the earliest from"),
        required=False,
        widget=DATE_INPUT,
        help_text=_("Only when the start is not known to the day."),
    )
    effective_to = forms.DateField(label=_("In force until"), required=False, widget=DATE_INPUT)
    decision = forms.CharField(label=_("Decision"), max_length=100, required=False)
    decision_date = forms.DateField(label=_("Decision date"), required=False, widget=DATE_INPUT)
    instrument = forms.ChoiceField(label=_("Instrument"), required=False)
    is_exclusion = forms.BooleanField(
        label=_("Exclusion (a structure the list expressly leaves out)"), required=False
    )
    stereo_scope = forms.ChoiceField(
        label=_("Stereoisomers the name designates"),
        choices=StereoScope.choices,
        initial=StereoScope.LIST,
        required=False,
        help_text=_(
            "Matters only where the list does not cover stereoisomers. Ephedrine names one diastereomer: "
            "it covers (1R,2S)- and (1S,2R)-ephedrine, not pseudoephedrine."
        ),
    )
    verified = forms.BooleanField(label=_("Verified against the source"), required=False)
    source_url = forms.URLField(
        label=_("Source (URL)"), max_length=500, required=False, assume_scheme="https"
    )
    note = forms.CharField(label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    reason = forms.CharField(label=_("Reason for the change"), max_length=500, required=False)

    def __init__(self, *args, jurisdiction: Jurisdiction, reason_required: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["list_code"].choices = [
            (c.code, str(c)) for c in ControlList.objects.filter(jurisdiction=jurisdiction)
        ]
        self.fields["instrument"].choices = [("", "—")] + [
            (i.code, str(i)) for i in Instrument.objects.filter(jurisdiction=jurisdiction)
        ]
        self.fields["reason"].required = reason_required


class EndForm(forms.Form):
    effective_to = forms.DateField(label=_("Last day in force"), widget=DATE_INPUT)
    reason = forms.CharField(label=_("Reason"), max_length=500)


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=500)


class ImportForm(forms.Form):
    file = forms.FileField(label=_("Listing CSV file"))
    dry_run = forms.BooleanField(label=_("Only show what would change"), required=False, initial=True)
    reason = forms.CharField(label=_("Reason"), max_length=500, required=False)


class CompletenessForm(forms.Form):
    lists_complete = forms.BooleanField(
        label=_("Every list of this jurisdiction is recorded in full"), required=False
    )
    reason = forms.CharField(label=_("Reason"), max_length=500)


class HarmonisationForm(forms.Form):
    jurisdictions = forms.MultipleChoiceField(
        label=_("Jurisdictions"), required=False, widget=forms.CheckboxSelectMultiple
    )
    date = forms.DateField(label=_("On the day"), required=False, widget=DATE_INPUT)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["jurisdictions"].choices = jurisdiction_choices()


class WhatIfForm(forms.Form):
    jurisdiction = forms.ChoiceField(label=_("Jurisdiction"))
    structure = forms.CharField(
        label=_("A substance (SMILES)"),
        required=False,
        max_length=20000,
        widget=forms.TextInput(attrs={"spellcheck": "false"}),
    )
    smarts = forms.CharField(
        label=_("Or a class (SMARTS)"),
        required=False,
        max_length=2000,
        widget=forms.TextInput(attrs={"spellcheck": "false"}),
    )
    generic_code = forms.ChoiceField(label=_("Or adopt a generic definition"), required=False)
    effective_from = forms.DateField(
        label=_("In force from"),
        required=False,
        widget=DATE_INPUT,
        help_text=_("Empty: as if it had always been in force."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["jurisdiction"].choices = jurisdiction_choices()
        self.fields["generic_code"].choices = [("", "—")] + [
            (g.code, f"{g.control_list.jurisdiction_id}: {g}")
            for g in GenericDefinition.objects.exclude(kind="analogue_similarity").select_related(
                "control_list"
            )
        ]

    def clean(self):
        data = super().clean()
        given = [name for name in ("structure", "smarts", "generic_code") if data.get(name)]
        if len(given) != 1 and not self.errors:
            raise forms.ValidationError(
                _("Give exactly one of: a substance, a class or a generic definition.")
            )
        return data
