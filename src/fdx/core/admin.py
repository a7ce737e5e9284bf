"""Django admin, used for reference data: every save and delete made there goes to the audit chain."""

from __future__ import annotations

from django.contrib import admin
from django.db import transaction
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext_lazy as _

from fdx.audit.actions import changes, record, snapshot
from fdx.core import audit_events

admin.site.site_header = _("FDX reference data")
admin.site.site_title = _("FDX administration")
admin.site.index_title = _("Reference data")


def _signin_instead(request, extra_context=None):
    """The admin has no sign-in of its own: FDX's sign-in page (throttled, two-factor) is the only door."""
    target = request.GET.get("next") or reverse("admin:index")
    return redirect(f"{reverse('accounts:signin')}?{urlencode({'next': target})}")


admin.site.login = _signin_instead


class AuditedModelAdmin(admin.ModelAdmin):
    """A ModelAdmin whose changes are written with an audit event in the same transaction."""

    def _audit_fields(self, obj) -> list[str]:
        return list(
            getattr(obj, "audit_fields", None)
            or [f.name for f in obj._meta.concrete_fields if f.name != "id"]
        )

    def save_model(self, request, obj, form, change):
        with transaction.atomic():
            fields = self._audit_fields(obj)
            before = snapshot(type(obj).objects.get(pk=obj.pk), fields) if change else {}
            super().save_model(request, obj, form, change)
            after = snapshot(obj, fields)
            if change:
                old, new = changes(before, after)
                if new:
                    record(
                        audit_events.ADMIN_RECORD_CHANGED, actor=request.user, obj=obj, before=old, after=new
                    )
            else:
                record(audit_events.ADMIN_RECORD_CREATED, actor=request.user, obj=obj, after=after)

    def delete_model(self, request, obj):
        with transaction.atomic():
            before = snapshot(obj, self._audit_fields(obj))
            record(audit_events.ADMIN_RECORD_DELETED, actor=request.user, obj=obj, before=before)
            super().delete_model(request, obj)

    def delete_queryset(self, request, queryset):
        for obj in queryset:
            self.delete_model(request, obj)


class ReadOnlyAdmin(admin.ModelAdmin):
    """Shown in the admin for reference, changed only through FDX's own pages, API and CLI (actions)."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
