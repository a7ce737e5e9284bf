"""The admin that writes: every save and delete made in the Django admin goes to the audit chain.

Apps whose reference data an administrator may edit there (geography) use ``AuditedModelAdmin``; records
with rules of their own are changed only through their app's actions.
"""

from __future__ import annotations

from django.contrib import admin
from django.db import transaction

from fdx.audit.actions import audit_fields, changes, record, snapshot
from fdx.audit.audit_events import ADMIN_RECORD_CHANGED, ADMIN_RECORD_CREATED, ADMIN_RECORD_DELETED


class AuditedModelAdmin(admin.ModelAdmin):
    """A ModelAdmin whose changes are written with an audit event in the same transaction."""

    def _audit_fields(self, obj) -> list[str]:
        return audit_fields(obj)

    def save_model(self, request, obj, form, change):
        with transaction.atomic():
            fields = self._audit_fields(obj)
            before = snapshot(type(obj).objects.get(pk=obj.pk), fields) if change else {}
            super().save_model(request, obj, form, change)
            after = snapshot(obj, fields)
            if change:
                old, new = changes(before, after)
                if new:
                    record(ADMIN_RECORD_CHANGED, actor=request.user, obj=obj, before=old, after=new)
            else:
                record(ADMIN_RECORD_CREATED, actor=request.user, obj=obj, after=after)

    def delete_model(self, request, obj):
        with transaction.atomic():
            before = snapshot(obj, self._audit_fields(obj))
            record(ADMIN_RECORD_DELETED, actor=request.user, obj=obj, before=before)
            super().delete_model(request, obj)

    def delete_queryset(self, request, queryset):
        for obj in queryset:
            self.delete_model(request, obj)
