from django import forms
from django.utils.translation import gettext_lazy as _

from fdx.substances.selectors import resolve_substance

SEARCH_MODES = [
    ("name", _("Name, CAS or InChIKey")),
    ("exact", _("Exact structure")),
    ("substructure", _("Substructure (SMILES or SMARTS)")),
    ("similarity", _("Similar structures")),
]


class SubstanceSearchForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False, max_length=2000)
    mode = forms.ChoiceField(label=_("Search by"), choices=SEARCH_MODES, required=False, initial="name")
    threshold = forms.FloatField(
        label=_("Similarity at least"), min_value=0.1, max_value=1, required=False, initial=0.7
    )
    substance_class = forms.ChoiceField(label=_("Class"), required=False)

    def __init__(self, *args, class_choices=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["substance_class"].choices = [("", _("all classes")), *class_choices]


class SubstanceForm(forms.Form):
    name_en = forms.CharField(label=_("Name (English)"), max_length=300)
    name_ru = forms.CharField(label=_("Name (Russian)"), max_length=300, required=False)
    structure = forms.CharField(
        label=_("Structure (SMILES, InChI or molfile)"),
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
    )
    cas_number = forms.CharField(label=_("CAS number"), max_length=20, required=False)
    synonyms = forms.CharField(
        label=_("Synonyms (one per line)"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )
    note = forms.CharField(label=_("Note"), widget=forms.Textarea(attrs={"rows": 2}), required=False)

    def synonym_list(self) -> list[str]:
        return [line.strip() for line in self.cleaned_data.get("synonyms", "").splitlines() if line.strip()]


class SubstanceField(forms.CharField):
    """A substance named by its English or Russian name, a synonym, its InChIKey or its id. The page's
    autocomplete offers names from the registry; without scripts the name is typed."""

    def clean(self, value):
        value = super().clean(value)
        if not value:
            return None
        return resolve_substance(value)
