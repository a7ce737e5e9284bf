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
