from django.contrib import admin

from fdx.core.admin import ReadOnlyAdmin
from fdx.substances.models import Substance, SubstanceClass


@admin.register(SubstanceClass)
class SubstanceClassAdmin(ReadOnlyAdmin):
    list_display = ("code", "name_en", "name_ru")


@admin.register(Substance)
class SubstanceAdmin(ReadOnlyAdmin):
    list_display = ("name_en", "name_ru", "formula", "inchikey", "source")
    search_fields = ("name_en", "name_ru", "inchikey", "cas_number")
    list_filter = ("source", "classes")
    exclude = ("morgan_fingerprint", "pattern_fingerprint")
