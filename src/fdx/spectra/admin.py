"""Read-only admin pages: libraries and spectra change only through the actions (imports are audited), and
an administrator sees only the libraries their organisation may see, as everywhere else."""

from django.contrib import admin

from fdx.core.admin import ReadOnlyAdmin
from fdx.spectra.models import SpectralLibrary, Spectrum


class RestrictedReadOnlyAdmin(ReadOnlyAdmin):
    """Read-only, and only the rows the administrator may see elsewhere."""

    def get_queryset(self, request):
        return super().get_queryset(request).restrict(request.user, "view")


@admin.register(SpectralLibrary)
class SpectralLibraryAdmin(RestrictedReadOnlyAdmin):
    list_display = ("name", "version", "owner_organisation", "distribution_level", "created_at")
    search_fields = ("name", "source")


@admin.register(Spectrum)
class SpectrumAdmin(RestrictedReadOnlyAdmin):
    list_display = ("name", "library", "record_id", "substance", "substance_link", "withdrawn_at")
    list_filter = ("substance_link",)  # a library filter would list every library on the node
    search_fields = ("name", "record_id", "inchikey")
    exclude = ("mz_values", "intensities")
    raw_id_fields = ("substance",)
