"""Forms of the sign-in, account and people pages."""

from __future__ import annotations

from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext_lazy as _

from fdx.accounts.choices import OrganisationType, Role


class SignInForm(AuthenticationForm):
    """Username and password; django-axes counts the failures through ``authenticate``."""

    username = forms.CharField(
        label=_("Username"),
        max_length=150,
        widget=forms.TextInput(attrs={"autofocus": True, "autocomplete": "username"}),
    )
    password = forms.CharField(
        label=_("Password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )


class OtpForm(forms.Form):
    token = forms.CharField(
        label=_("Code from your authenticator app"),
        min_length=6,
        max_length=8,
        widget=forms.TextInput(
            attrs={"autofocus": True, "autocomplete": "one-time-code", "inputmode": "numeric"}
        ),
    )


class SignInCodeForm(forms.Form):
    """The second sign-in step: a code from the authenticator app, or one of the recovery codes."""

    token = forms.CharField(
        label=_("Code from your authenticator app, or a recovery code"),
        min_length=6,
        max_length=20,
        widget=forms.TextInput(attrs={"autofocus": True, "autocomplete": "one-time-code"}),
    )


class PasswordChangeForm(forms.Form):
    old_password = forms.CharField(label=_("Current password"), strip=False, widget=forms.PasswordInput)
    new_password = forms.CharField(label=_("New password"), strip=False, widget=forms.PasswordInput)
    new_password_again = forms.CharField(
        label=_("New password again"), strip=False, widget=forms.PasswordInput
    )

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("new_password") != cleaned.get("new_password_again"):
            self.add_error("new_password_again", _("The two new passwords differ."))
        return cleaned


class TokenForm(forms.Form):
    name = forms.CharField(
        label=_("Name"), max_length=100, help_text=_("What the token is for, e.g. 'LIMS import'.")
    )
    days = forms.IntegerField(label=_("Lifetime (days)"), min_value=1, max_value=730, initial=90)


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=1000, required=False)


def role_field(allowed: list[str], initial=None) -> forms.MultipleChoiceField:
    return forms.MultipleChoiceField(
        label=_("Roles"),
        choices=[(value, label) for value, label in Role.choices if value in allowed],
        widget=forms.CheckboxSelectMultiple,
        required=False,
        initial=initial or [],
    )


class UserCreateForm(forms.Form):
    username = forms.RegexField(label=_("Username"), max_length=150, regex=r"^[\w.@+-]+$")
    first_name = forms.CharField(label=_("First name"), max_length=150, required=False)
    last_name = forms.CharField(label=_("Last name"), max_length=150, required=False)
    email = forms.EmailField(label=_("E-mail"), required=False)
    position = forms.CharField(label=_("Position"), max_length=150, required=False)

    def __init__(self, *args, organisations, grantable_roles, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organisation"] = forms.ModelChoiceField(
            label=_("Organisation"),
            queryset=organisations,
            to_field_name="code",
            initial=organisations.first() if organisations.count() == 1 else None,
        )
        self.fields["roles"] = role_field(grantable_roles)


class UserEditForm(forms.Form):
    first_name = forms.CharField(label=_("First name"), max_length=150, required=False)
    last_name = forms.CharField(label=_("Last name"), max_length=150, required=False)
    email = forms.EmailField(label=_("E-mail"), required=False)
    position = forms.CharField(label=_("Position"), max_length=150, required=False)
    is_active = forms.BooleanField(label=_("Active (may sign in)"), required=False)
    reason = forms.CharField(label=_("Reason for the change"), max_length=1000, required=False)


class RolesForm(forms.Form):
    reason = forms.CharField(label=_("Reason for the change"), max_length=1000, required=False)

    def __init__(self, *args, grantable_roles, initial_roles, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["roles"] = role_field(grantable_roles, initial_roles)
        self.order_fields(["roles", "reason"])


class OrganisationForm(forms.Form):
    """An organisation's code (fixed once created), names, country, type and active flag."""

    code = forms.SlugField(
        label=_("Code"), max_length=50, help_text=_("Short stable identifier, e.g. kz-forensic-centre.")
    )
    name_en = forms.CharField(label=_("Name (English)"), max_length=250)
    name_ru = forms.CharField(label=_("Name (Russian)"), max_length=250)
    name_local = forms.CharField(label=_("Name (national language)"), max_length=250, required=False)
    country = forms.ModelChoiceField(label=_("Country"), queryset=None)
    org_type = forms.ChoiceField(label=_("Type"), choices=OrganisationType.choices)
    is_active = forms.BooleanField(label=_("Active"), required=False, initial=True)
    reason = forms.CharField(label=_("Reason for the change"), max_length=1000, required=False)

    def __init__(self, *args, creating: bool, **kwargs):
        from fdx.geo.models import Country

        super().__init__(*args, **kwargs)
        self.fields["country"].queryset = Country.objects.order_by("code")
        if creating:
            del self.fields["is_active"], self.fields["reason"]
        else:
            del self.fields["code"]


class SharingGroupForm(forms.Form):
    """A sharing group's code (fixed once created), names, purpose, members and active flag."""

    code = forms.SlugField(label=_("Code"), max_length=50)
    name_en = forms.CharField(label=_("Name (English)"), max_length=250)
    name_ru = forms.CharField(label=_("Name (Russian)"), max_length=250)
    description = forms.CharField(
        label=_("Purpose"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    organisations = forms.ModelMultipleChoiceField(
        label=_("Member organisations"),
        queryset=None,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    is_active = forms.BooleanField(label=_("Active"), required=False, initial=True)
    reason = forms.CharField(label=_("Reason for the change"), max_length=1000, required=False)

    def __init__(self, *args, creating: bool, **kwargs):
        from fdx.accounts.models import Organisation

        super().__init__(*args, **kwargs)
        self.fields["organisations"].queryset = Organisation.objects.select_related("country").order_by(
            "country_id", "code"
        )
        if creating:
            del self.fields["is_active"], self.fields["reason"]
        else:
            del self.fields["code"]
