"""Forms of the case pages. They collect and convert input; the actions validate and write."""

from django import forms
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from fdx.accounts.models import Organisation, SharingGroup
from fdx.core.distribution import DistributionLevel
from fdx.examinations.choices import (
    CASE_NOTE_MAX_LENGTH,
    LOCAL_REFERENCE_MAX_LENGTH,
    AttachmentKind,
    ExaminationStatus,
    ExhibitForm,
    FindingRole,
    ResultType,
    SeizureContext,
)
from fdx.examinations.models import AnalyticalMethod, Attachment, Case, Examination, Exhibit, Finding
from fdx.examinations.shareable import candidates
from fdx.geo.models import BorderCrossingPoint, Country, Region
from fdx.substances.forms import SubstanceField
from fdx.substances.models import SubstanceClass

DATE = forms.DateInput(attrs={"type": "date"})


def shareable_field(model) -> forms.MultipleChoiceField:
    """The "May leave the country" checkboxes of a record of ``model``: its candidate fields, by their names
    in the user's language (``fdx.examinations.shareable``)."""
    return forms.MultipleChoiceField(
        label=_("May leave the country"),
        required=False,
        choices=[
            (name, capfirst(model._meta.get_field(name).verbose_name))
            for name in candidates(model._meta.label_lower)
        ],
        widget=forms.CheckboxSelectMultiple,
        help_text=_(
            "When the record is shared with another country, the personal and free-text fields not marked "
            "here are removed from the copy that leaves."
        ),
    )


class CaseFilterForm(forms.Form):
    q = forms.CharField(label=_("Text"), required=False)
    seized_from = forms.DateField(label=_("Seized from"), required=False, widget=DATE)
    seized_to = forms.DateField(label=_("Seized to"), required=False, widget=DATE)
    country = forms.ModelChoiceField(
        label=_("Country"),
        required=False,
        to_field_name="code",
        queryset=Country.objects.filter(code__in=["KZ", "KG", "TJ", "TM", "UZ"]),
    )
    substance_class = forms.ModelChoiceField(
        label=_("Class"), required=False, to_field_name="code", queryset=SubstanceClass.objects.all()
    )
    form = forms.ChoiceField(label=_("Form"), required=False, choices=[("", "—"), *ExhibitForm.choices])
    status = forms.ChoiceField(
        label=_("Examination status"), required=False, choices=[("", "—"), *ExaminationStatus.choices]
    )


class RegionSelect(forms.Select):
    """A region list whose options carry their country (``data-country``), so that the page's script can
    show only the regions of the chosen country; without the script every region shows, and the server
    refuses a region of another country."""

    def create_option(self, name, value, label, selected, index, subindex=None, attrs=None):
        option = super().create_option(name, value, label, selected, index, subindex, attrs)
        instance = getattr(value, "instance", None)
        if instance is not None:
            option["attrs"]["data-country"] = instance.country_id
        return option


class CaseForm(forms.Form):
    reference = forms.CharField(label=_("Laboratory case number"), max_length=LOCAL_REFERENCE_MAX_LENGTH)
    submitting_agency = forms.ModelChoiceField(
        label=_("Submitting agency"),
        required=False,
        to_field_name="code",
        queryset=Organisation.objects.filter(is_active=True),
    )
    agency_case_number = forms.CharField(label=_("Agency's case number"), max_length=100, required=False)
    seizure_date = forms.DateField(label=_("Seizure date"), widget=DATE)
    seizure_country = forms.ModelChoiceField(
        label=_("Country of seizure"), to_field_name="code", queryset=Country.objects.all()
    )
    seizure_region = forms.ModelChoiceField(
        label=_("Region of seizure"),
        required=False,
        to_field_name="code",
        queryset=Region.objects.filter(country_id__in=["KZ", "KG", "TJ", "TM", "UZ"], parent__isnull=True),
        widget=RegionSelect(attrs={"data-country-from": "id_seizure_country"}),
    )
    locality = forms.CharField(label=_("Locality"), max_length=200, required=False)
    border_crossing_point = forms.ModelChoiceField(
        label=_("Border crossing point"),
        required=False,
        to_field_name="code",
        queryset=BorderCrossingPoint.objects.all(),
    )
    latitude = forms.DecimalField(label=_("Latitude"), required=False, max_digits=8, decimal_places=5)
    longitude = forms.DecimalField(label=_("Longitude"), required=False, max_digits=8, decimal_places=5)
    seizure_context = forms.ChoiceField(label=_("Seizure context"), choices=SeizureContext.choices)
    description = forms.CharField(
        label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    distribution_level = forms.ChoiceField(label=_("Distribution level"), choices=DistributionLevel.choices)
    sharing_group = forms.ModelChoiceField(
        label=_("Sharing group"),
        required=False,
        to_field_name="code",
        queryset=SharingGroup.objects.filter(is_active=True),
    )
    shareable_fields = shareable_field(Case)
    reason = forms.CharField(label=_("Reason for the change"), required=False, max_length=2000)

    def __init__(self, *args, editing: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        if not editing:  # a new case changes nothing: only an edit is asked why
            del self.fields["reason"]

    def clean(self):
        """A region of another country than the one chosen is refused here, by name, before the action."""
        data = super().clean()
        country, region = data.get("seizure_country"), data.get("seizure_region")
        if country and region and region.country_id != country.code:
            self.add_error(
                "seizure_region",
                _("%(region)s is in %(region_country)s, not in %(country)s: choose a region of %(country)s.")
                % {"region": region.name, "region_country": region.country.name, "country": country.name},
            )
        return data


class ExhibitFormForm(forms.Form):
    label = forms.CharField(label=_("Exhibit number"), max_length=40)
    form = forms.ChoiceField(label=_("Form"), choices=ExhibitForm.choices)
    colour = forms.CharField(label=_("Colour"), max_length=60, required=False)
    logo = forms.CharField(label=_("Logo or markings"), max_length=120, required=False)
    diameter_mm = forms.DecimalField(label=_("Diameter (mm)"), required=False, min_value=0)
    thickness_mm = forms.DecimalField(label=_("Thickness (mm)"), required=False, min_value=0)
    unit_count = forms.IntegerField(label=_("Number of units"), required=False, min_value=1)
    gross_mass_g = forms.DecimalField(label=_("Gross mass (g)"), required=False, min_value=0)
    net_mass_g = forms.DecimalField(label=_("Net mass (g)"), required=False, min_value=0)
    packaging = forms.CharField(label=_("Packaging"), max_length=200, required=False)
    description = forms.CharField(
        label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    shareable_fields = shareable_field(Exhibit)


class ExaminationForm(forms.Form):
    request_number = forms.CharField(label=_("Request number"), max_length=60, required=False)
    received_date = forms.DateField(label=_("Date received"), widget=DATE)
    completed_date = forms.DateField(label=_("Date completed"), required=False, widget=DATE)
    methods = forms.ModelMultipleChoiceField(
        label=_("Methods"),
        required=False,
        to_field_name="code",
        queryset=AnalyticalMethod.objects.all(),
        widget=forms.CheckboxSelectMultiple,
    )
    conclusion = forms.CharField(
        label=_("Conclusion"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    shareable_fields = shareable_field(Examination)


class FindingForm(forms.Form):
    substance = SubstanceField(
        label=_("Substance"),
        required=False,
        widget=forms.TextInput(
            attrs={"data-autocomplete": "substances", "autocomplete": "off", "list": "substance-options"}
        ),
    )
    unidentified_description = forms.CharField(
        label=_("Or: description of an unidentified substance"), max_length=300, required=False
    )
    result_type = forms.ChoiceField(label=_("Result"), choices=ResultType.choices)
    role = forms.ChoiceField(label=_("Role"), choices=FindingRole.choices)
    purity_percent = forms.DecimalField(
        label=_("Content (% by mass)"), required=False, min_value=0, max_value=100
    )
    purity_uncertainty_percent = forms.DecimalField(
        label=_("Expanded uncertainty (± % points)"), required=False, min_value=0, max_value=100
    )
    note = forms.CharField(label=_("Note"), required=False, max_length=5000)
    shareable_fields = shareable_field(Finding)


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=2000, required=False)


class CaseNoteForm(forms.Form):
    """A note of the reader's organisation on a case (kept on this node, never sent)."""

    text = forms.CharField(
        label=_("New note"),
        max_length=CASE_NOTE_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_(
            "Seen only by your organisation's readers of this case, on this node; never sent to another node."
        ),
    )


class AttachmentForm(forms.Form):
    file = forms.FileField(label=_("File"))
    kind = forms.ChoiceField(label=_("Kind"), choices=AttachmentKind.choices)
    description = forms.CharField(label=_("Description"), max_length=300, required=False)
    shareable_fields = shareable_field(Attachment)


class ReportVerificationForm(forms.Form):
    """What is printed on a report to check it: the examination's global id and the report digest."""

    examination = forms.CharField(
        label=_("Examination (global id)"), max_length=60, help_text=_("As printed on the report.")
    )
    digest = forms.CharField(
        label=_("Report digest (SHA-256)"),
        max_length=120,
        help_text=_("64 hexadecimal digits; the spaces between groups may be kept."),
    )


class ReviewForm(forms.Form):
    """A reviewer's decision on a submitted examination: a comment (required to return it)."""

    comment = forms.CharField(
        label=_("Comment"), max_length=2000, required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args, comment_required: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.comment_required = comment_required
        if comment_required:
            self.fields["comment"].label = _("What has to be corrected")
            self.fields["comment"].required = True
            self.fields["comment"].error_messages["required"] = _(
                "Say what has to be corrected: the author reads it."
            )
