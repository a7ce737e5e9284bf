from django.contrib import admin

from fdx.audit.admin import AuditedModelAdmin
from fdx.geo.models import BorderCrossingPoint, Country, Region, RegionAlias, RegionSuccession


@admin.register(Country)
class CountryAdmin(AuditedModelAdmin):
    list_display = ("code", "alpha_3", "name_en", "name_ru")
    search_fields = ("code", "alpha_3", "name_en", "name_ru")

    def has_delete_permission(self, request, obj=None):
        return False


class SuccessionInline(admin.TabularInline):
    model = RegionSuccession
    fk_name = "predecessor"
    extra = 0
    autocomplete_fields = ("successor",)

    def has_change_permission(self, request, obj=None):
        return False

    def has_add_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Region)
class RegionAdmin(AuditedModelAdmin):
    list_display = ("code", "name_en", "name_ru", "country", "region_type", "valid_from", "valid_to")
    list_filter = ("region_type",)
    search_fields = ("code", "name_en", "name_ru", "name_local")
    autocomplete_fields = ("country", "parent")
    inlines = [SuccessionInline]

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(RegionSuccession)
class RegionSuccessionAdmin(AuditedModelAdmin):
    list_display = ("predecessor", "successor", "effective_date", "kind")
    autocomplete_fields = ("predecessor", "successor")


@admin.register(RegionAlias)
class RegionAliasAdmin(AuditedModelAdmin):
    list_display = ("code", "region", "valid_from", "note")
    search_fields = ("code",)
    autocomplete_fields = ("region",)


@admin.register(BorderCrossingPoint)
class BorderCrossingPointAdmin(AuditedModelAdmin):
    list_display = ("code", "name_en", "name_ru", "country", "neighbour_country", "kind", "is_active")
    list_filter = ("kind", "is_active")
    search_fields = ("code", "name_en", "name_ru")
    autocomplete_fields = ("country", "region", "neighbour_country")
