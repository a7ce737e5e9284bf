"""The audit log pages: read events (administrators), verify the chain (node administrators)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from fdx.audit import checkpoints, selectors
from fdx.audit.verify import verify_chain
from fdx.audit.visibility import shown_one, shown_to
from fdx.core.actors import require_permission
from fdx.core.paging import page_for


@login_required
def events(request):
    user = request.user
    if not (user.has_perm("audit.view_org_events") or user.has_perm("audit.view_all_events")):
        raise PermissionDenied(_("Only administrators read the audit log."))
    filters = {key: request.GET.get(key, "").strip() or None for key in ("action", "actor", "object_id")}
    page = page_for(request, selectors.list_events(user, **filters), 50)
    can_verify = user.has_perm("audit.verify_chain")
    return render(
        request,
        "audit/events.html",
        {
            "page": page,
            # What this reader may see of each event: the content of a hidden record is withheld.
            "shown": shown_to(user, page.rows),
            "filters": filters,
            "can_verify": can_verify,
            "checkpoint_status": checkpoints.status() if can_verify else None,
        },
    )


@login_required
def event(request, sequence: int):
    shown = shown_one(request.user, selectors.get_event(request.user, sequence))
    return render(request, "audit/event.html", {"event": shown})


@login_required
@require_POST
def verify(request):
    require_permission(request.user, "audit.verify_chain")
    return render(request, "audit/verified.html", {"result": verify_chain()})
