"""People administration for organisation and node administrators: list, create, edit, roles, reset."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from fdx.accounts import actions, otp, selectors
from fdx.accounts.choices import Role
from fdx.accounts.forms import ReasonForm, RolesForm, UserCreateForm, UserEditForm
from fdx.accounts.models import Organisation
from fdx.accounts.roles import ORG_GRANTABLE_ROLES
from fdx.core.forms_support import add_action_errors
from fdx.core.paging import page_for


def _require_people_admin(user) -> None:
    if not (user.has_perm("accounts.manage_org_users") or user.has_perm("accounts.manage_all_users")):
        raise PermissionDenied(_("Only administrators manage people."))


def _grantable_roles(user) -> list[str]:
    if user.has_perm("accounts.manage_all_users"):
        return list(Role.values)
    return [role for role in Role.values if role in ORG_GRANTABLE_ROLES]


def _administered_organisations(user):
    if user.has_perm("accounts.manage_all_users"):
        return Organisation.objects.filter(is_active=True).order_by("code")
    return Organisation.objects.filter(pk=user.organisation_id, is_active=True)


@login_required
def people(request):
    """The users the signed-in administrator manages, with filters."""
    _require_people_admin(request.user)
    text = request.GET.get("q", "").strip()
    organisation = request.GET.get("organisation", "").strip()
    queryset = selectors.list_users(request.user, text=text or None, organisation=organisation or None)
    page = page_for(request, queryset, 50)
    return render(
        request,
        "accounts/people.html",
        {
            "page": page,
            "q": text,
            "organisation": organisation,
            "organisations": _administered_organisations(request.user),
        },
    )


@login_required
def person_create(request):
    _require_people_admin(request.user)
    form = UserCreateForm(
        request.POST or None,
        organisations=_administered_organisations(request.user),
        grantable_roles=_grantable_roles(request.user),
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            user, password = actions.create_user(
                request.user,
                username=data["username"],
                organisation=data["organisation"],
                roles=data["roles"],
                first_name=data["first_name"],
                last_name=data["last_name"],
                email=data["email"],
                position=data["position"],
            )
        except ValidationError as exc:
            add_action_errors(form, exc)
        else:
            return render(
                request, "accounts/password_shown_once.html", {"person": user, "password": password}
            )
    return render(request, "accounts/person_form.html", {"form": form})


@login_required
def person(request, username):
    """One user: details, roles, tokens; forms to change them."""
    _require_people_admin(request.user)
    target = selectors.get_user(request.user, username, "change")
    edit_form = UserEditForm(
        initial={
            "first_name": target.first_name,
            "last_name": target.last_name,
            "email": target.email,
            "position": target.position,
            "is_active": target.is_active,
        }
    )
    roles_form = RolesForm(
        grantable_roles=_grantable_roles(request.user), initial_roles=sorted(actions.user_roles(target))
    )
    return _person_page(request, target, edit_form, roles_form)


def _person_page(request, target, edit_form, roles_form, status=200):
    return render(
        request,
        "accounts/person.html",
        {
            "person": target,
            "edit_form": edit_form,
            "roles_form": roles_form,
            "reason_form": ReasonForm(),
            "person_roles": sorted(actions.user_roles(target)),
            "two_factor": otp.has_two_factor(target),
            "tokens": selectors.list_tokens(request.user, user=target),
        },
        status=status,
    )


@login_required
@require_POST
def person_edit(request, username):
    _require_people_admin(request.user)
    target = selectors.get_user(request.user, username, "change")
    form = UserEditForm(request.POST)
    if form.is_valid():
        data = dict(form.cleaned_data)
        reason = data.pop("reason")
        try:
            actions.update_user(request.user, target, reason=reason, **data)
        except ValidationError as exc:
            add_action_errors(form, exc)
        else:
            messages.success(request, _("The changes have been saved."))
            return redirect("accounts:person", username=username)
    roles_form = RolesForm(
        grantable_roles=_grantable_roles(request.user), initial_roles=sorted(actions.user_roles(target))
    )
    return _person_page(request, target, form, roles_form, status=422)


@login_required
@require_POST
def person_roles(request, username):
    _require_people_admin(request.user)
    target = selectors.get_user(request.user, username, "change")
    form = RolesForm(request.POST, grantable_roles=_grantable_roles(request.user), initial_roles=[])
    if form.is_valid():
        try:
            actions.set_user_roles(
                request.user, target, form.cleaned_data["roles"], reason=form.cleaned_data["reason"]
            )
        except ValidationError as exc:
            add_action_errors(form, exc)
        else:
            messages.success(request, _("The roles have been changed."))
            return redirect("accounts:person", username=username)
    return _person_page(
        request, target, UserEditForm(initial={"is_active": target.is_active}), form, status=422
    )


@login_required
@require_POST
def person_reset_password(request, username):
    _require_people_admin(request.user)
    target = selectors.get_user(request.user, username, "change")
    password = actions.reset_password(request.user, target, reason=request.POST.get("reason", ""))
    return render(request, "accounts/password_shown_once.html", {"person": target, "password": password})


@login_required
@require_POST
def person_reset_two_factor(request, username):
    _require_people_admin(request.user)
    target = selectors.get_user(request.user, username, "change")
    try:
        actions.reset_two_factor(request.user, target, reason=request.POST.get("reason", ""))
    except ValidationError:
        messages.error(request, _("Say why two-factor sign-in is reset."))
    else:
        messages.success(request, _("Two-factor sign-in has been reset; the user enrols again."))
    return redirect("accounts:person", username=username)
