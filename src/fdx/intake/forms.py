from django import forms
from django.utils.translation import gettext_lazy as _


class ImportForm(forms.Form):
    """A laboratory's file of cases to check or import (``actions.import_file``)."""

    file = forms.FileField(label=_("File (CSV or XLSX, one row per finding)"))
    mapping = forms.ModelChoiceField(
        label=_("Mapping"),
        queryset=None,
        required=False,
        empty_label=_("None: the file follows the template"),
    )
    dry_run = forms.BooleanField(label=_("Only check the file (write nothing)"), required=False, initial=True)
    partial = forms.BooleanField(
        label=_("Import the cases without problems and refuse the others"),
        required=False,
        help_text=_("Otherwise one problem anywhere and nothing is written."),
    )

    def __init__(self, *args, mappings=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["mapping"].queryset = mappings


class MappingForm(forms.Form):
    """A laboratory's mapping as lines a person writes and reads (``mapping_from_lines`` reads them)."""

    name = forms.SlugField(label=_("Name"), max_length=60, help_text=_("Short stable name, e.g. old-lims."))
    columns = forms.CharField(
        label=_("Columns"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("One a line: the file's header = the field, e.g. «Вес нетто (мг) = net_mass_g»."),
    )
    units = forms.CharField(
        label=_("Units"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_(
            "One a line: field = unit (mg, g or kg for a mass; fraction for a purity given as 0.95)."
        ),
    )
    values = forms.CharField(
        label=_("Values"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("One a line: field: your word = FDX's value, e.g. «form: кристаллы = crystal»."),
    )
    substances = forms.CharField(
        label=_("Substance names"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("One a line: your name = a registry substance's name, e.g. «меф = mephedrone»."),
    )
