from django.contrib import admin

from fdx.accounts.models import Organisation, SharingGroup, User
from fdx.core.admin import ReadOnlyAdmin


@admin.register(Organisation)
class OrganisationAdmin(ReadOnlyAdmin):
    list_display = ("code", "name_en", "name_ru", "country", "org_type", "is_active")
    list_filter = ("org_type", "is_active", "country")
    search_fields = ("code", "name_en", "name_ru")


@admin.register(User)
class UserAdmin(ReadOnlyAdmin):
    list_display = ("username", "first_name", "last_name", "organisation", "is_active", "last_login")
    list_filter = ("is_active", "organisation")
    search_fields = ("username", "first_name", "last_name", "email")
    exclude = ("password",)


@admin.register(SharingGroup)
class SharingGroupAdmin(ReadOnlyAdmin):
    list_display = ("code", "name_en", "name_ru", "is_active")
    filter_horizontal = ("organisations",)
