"""Django admin, used for reference data: FDX's sign-in is its only door; most models are shown read-only.

The admin that writes (``fdx.audit.admin.AuditedModelAdmin``) sits above the audit chain it writes to."""

from __future__ import annotations

from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext_lazy as _

admin.site.site_header = _("FDX reference data")
admin.site.site_title = _("FDX administration")
admin.site.index_title = _("Reference data")


def _signin_instead(request, extra_context=None):
    """The admin has no sign-in of its own: FDX's sign-in page (throttled, two-factor) is the only door.

    A signed-in user who is not a node administrator is told so (403): sending them to the sign-in page,
    which sends signed-in users on to ``next``, would loop between the two."""
    if request.user.is_authenticated:
        raise PermissionDenied(_("The administration site is for node administrators."))
    target = request.GET.get("next") or reverse("admin:index")
    return redirect(f"{reverse('accounts:signin')}?{urlencode({'next': target})}")


admin.site.login = _signin_instead


class ReadOnlyAdmin(admin.ModelAdmin):
    """Shown in the admin for reference, changed only through FDX's own pages, API and CLI (actions)."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
