"""Forms of the spectra pages."""

from django import forms
from django.core import signing
from django.utils.translation import gettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from fdx.accounts.models import SharingGroup
from fdx.core.distribution import DistributionLevel
from fdx.spectra.choices import FILE_FORMATS

FORMAT_CHOICES = [("", _("Recognise from the file name")), *FILE_FORMATS.items()]


class LibraryForm(forms.Form):
    name = forms.CharField(label=pgettext_lazy("library", "Name"), max_length=200)
    version = forms.CharField(label=_("Version"), max_length=50, required=False)
    source = forms.CharField(label=_("Source"), max_length=300, required=False)
    licence = forms.CharField(label=_("Licence"), max_length=300, required=False)
    description = forms.CharField(
        label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    distribution_level = forms.ChoiceField(
        label=_("Distribution level"),
        choices=DistributionLevel.choices,
        initial=DistributionLevel.ORGANISATION,
    )
    sharing_group = forms.ModelChoiceField(
        label=_("Sharing group"),
        required=False,
        to_field_name="code",
        queryset=SharingGroup.objects.filter(is_active=True),
        help_text=_("For the sharing-group level only."),
    )


class ImportForm(forms.Form):
    file = forms.FileField(label=_("File of spectra"))
    format = forms.ChoiceField(label=_("Format"), choices=FORMAT_CHOICES, required=False)
    skip_bad = forms.BooleanField(
        label=_("Import the good records and report the bad ones"), required=False, initial=False
    )


class SearchForm(forms.Form):
    file = forms.FileField(label=_("A file of spectra"), required=False)
    peaks = forms.CharField(
        label=_("Or paste the peaks"),
        required=False,
        max_length=200_000,
        widget=forms.Textarea(attrs={"rows": 6, "placeholder": "41 120\n43 350\n58 999\n…"}),
        help_text=_(
            "m/z and intensity pairs, one or several per line, as instruments and MSP files export them."
        ),
    )
    name = forms.CharField(label=_("Name of the unknown"), max_length=200, required=False)
    retention_index = forms.FloatField(label=_("Retention index of the unknown"), required=False, min_value=0)
    retention_window = forms.FloatField(label=_("Retention-index window (±)"), required=False, min_value=0)
    libraries = forms.MultipleChoiceField(label=_("Libraries"), required=False)
    substance_class = forms.ChoiceField(label=_("Substance class"), required=False)
    top = forms.IntegerField(label=_("Hits per spectrum"), min_value=1, max_value=100, initial=10)

    def __init__(self, *args, library_choices=(), class_choices=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["libraries"].choices = list(library_choices)
        self.fields["substance_class"].choices = [("", _("Any class")), *class_choices]
        self.fields["file"].help_text = query_file_limits()

    def clean_file(self):
        from fdx.spectra.transfer import MAX_QUERY_FILE_BYTES

        upload = self.cleaned_data.get("file")
        if upload is not None and upload.size > MAX_QUERY_FILE_BYTES:
            raise forms.ValidationError(
                _("A file of unknowns may hold at most %(mib)s MiB.") % {"mib": MAX_QUERY_FILE_BYTES // 2**20}
            )
        return upload


def query_file_limits() -> str:
    """The formats and limits of a file searched on the page, said where the file is chosen."""
    from fdx.spectra.transfer import MAX_QUERIES, MAX_QUERY_FILE_BYTES

    return gettext(
        "MSP, MSL, JCAMP-DX, MGF, mzML, mzXML or an AIA/ANDI netCDF GC-MS run (.cdf, the apex scan of each "
        "chromatogram peak is searched). At most %(most)s spectra and %(mib)s MiB; a larger file is searched "
        "with the command line: fdx spectra search FILE."
    ) % {"most": MAX_QUERIES, "mib": MAX_QUERY_FILE_BYTES // 2**20}


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=2000)


class IdentificationForm(forms.Form):
    """A hit to record (as a finding, in the record the search started from), as the search page showed it —
    signed by the server, so that the scores a finding cites are the ones FDX computed, not ones typed into
    a request."""

    SALT = "fdx.spectra.identification"
    MAX_AGE_S = 24 * 3600  # a search page left open for a day is searched again

    hit = forms.CharField()

    @classmethod
    def token_for(cls, hit, query_name: str) -> str:
        """The signed form of a hit of a search for ``query_name``."""
        return signing.dumps(
            {
                "spectrum": str(hit.spectrum.global_id),
                "score": round(float(hit.score), 1),
                "reverse": round(float(hit.reverse), 1),
                "query": query_name[:200],
            },
            salt=cls.SALT,
            compress=True,
        )

    def clean_hit(self) -> dict:
        try:
            return signing.loads(self.cleaned_data["hit"], salt=self.SALT, max_age=self.MAX_AGE_S)
        except signing.SignatureExpired:
            raise forms.ValidationError(_("The search is too old; search again.")) from None
        except signing.BadSignature:
            raise forms.ValidationError(_("This is not a hit FDX found.")) from None
