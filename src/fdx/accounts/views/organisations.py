"""Organisations and sharing groups, for node administrators: list, create and edit in the browser (the CLI
and the API do the same through the same actions)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from fdx.accounts import actions
from fdx.accounts.forms import OrganisationForm, SharingGroupForm
from fdx.accounts.models import Organisation, SharingGroup
from fdx.core.forms_support import add_action_errors

_ORGANISATION_VALUES = ("code", "name_en", "name_ru", "name_local", "country", "org_type", "is_active")
_GROUP_VALUES = ("name_en", "name_ru", "description", "is_active")


def _require_node_admin(user) -> None:
    if not user.has_perm("accounts.manage_organisations"):
        raise PermissionDenied(_("Only node administrators manage organisations and sharing groups."))


@login_required
def organisations(request):
    """Every organisation of the node, with its country, type, people and sharing groups."""
    _require_node_admin(request.user)
    rows = Organisation.objects.select_related("country").order_by("country_id", "code")
    return render(request, "accounts/organisations.html", {"organisations": rows})


@login_required
def organisation_create(request):
    _require_node_admin(request.user)
    form = OrganisationForm(request.POST or None, creating=True)
    if request.method == "POST" and form.is_valid():
        values = {name: form.cleaned_data[name] for name in _ORGANISATION_VALUES if name in form.cleaned_data}
        try:
            organisation = actions.create_organisation(request.user, **values)
        except ValidationError as exc:
            add_action_errors(form, exc)
        else:
            messages.success(request, _("Organisation %(name)s created.") % {"name": organisation.name})
            return redirect("accounts:organisations")
    return _organisation_form(request, form, None)


@login_required
def organisation_edit(request, code):
    _require_node_admin(request.user)
    organisation = get_object_or_404(Organisation, code=code)
    initial = {name: getattr(organisation, name) for name in _ORGANISATION_VALUES if name != "code"}
    form = OrganisationForm(request.POST or None, initial=initial, creating=False)
    if request.method == "POST" and form.is_valid():
        values = {name: form.cleaned_data[name] for name in _ORGANISATION_VALUES if name in form.cleaned_data}
        try:
            actions.update_organisation(
                request.user, organisation, reason=form.cleaned_data["reason"], **values
            )
        except ValidationError as exc:
            add_action_errors(form, exc)
        else:
            messages.success(request, _("Organisation %(name)s saved.") % {"name": organisation.name})
            return redirect("accounts:organisations")
    return _organisation_form(request, form, organisation)


def _organisation_form(request, form, organisation):
    status = 422 if request.method == "POST" else 200
    return render(
        request,
        "accounts/organisation_form.html",
        {"form": form, "organisation": organisation},
        status=status,
    )


@login_required
def sharing_groups(request):
    """Every sharing group with its member organisations."""
    _require_node_admin(request.user)
    groups = SharingGroup.objects.prefetch_related("organisations").order_by("code")
    return render(request, "accounts/sharing_groups.html", {"groups": groups})


@login_required
def sharing_group_create(request):
    _require_node_admin(request.user)
    form = SharingGroupForm(request.POST or None, creating=True)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            group = actions.create_sharing_group(
                request.user,
                code=data["code"],
                name_en=data["name_en"],
                name_ru=data["name_ru"],
                description=data["description"],
                organisations=list(data["organisations"]),
            )
        except ValidationError as exc:
            add_action_errors(form, exc)
        else:
            messages.success(request, _("Sharing group %(name)s created.") % {"name": group})
            return redirect("accounts:sharing-groups")
    return _group_form(request, form, None)


@login_required
def sharing_group_edit(request, code):
    _require_node_admin(request.user)
    group = get_object_or_404(SharingGroup, code=code)
    initial = {name: getattr(group, name) for name in _GROUP_VALUES} | {
        "organisations": list(group.organisations.all())
    }
    form = SharingGroupForm(request.POST or None, initial=initial, creating=False)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            actions.update_sharing_group(
                request.user,
                group,
                reason=data["reason"],
                organisations=list(data["organisations"]),
                **{name: data[name] for name in _GROUP_VALUES},
            )
        except ValidationError as exc:
            add_action_errors(form, exc)
        else:
            messages.success(request, _("Sharing group %(name)s saved.") % {"name": group})
            return redirect("accounts:sharing-groups")
    return _group_form(request, form, group)


def _group_form(request, form, group):
    status = 422 if request.method == "POST" else 200
    return render(request, "accounts/sharing_group_form.html", {"form": form, "group": group}, status=status)
