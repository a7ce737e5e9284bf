"""Forms of the peer pages: registering a peer, and the reason for suspending or resuming one."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from fdx.exchange import rules
from fdx.exchange.choices import PeerRole


class PeerForm(forms.Form):
    """Everything ``fdx exchange peers add`` takes. The field names are the action's, so that its errors land
    on the field they name."""

    name = forms.SlugField(
        label=_("Name"), max_length=50, help_text=_("Short stable name of the peer on this node, e.g. uz.")
    )
    url = forms.URLField(
        label=_("Address (URL)"),
        max_length=300,
        assume_scheme="https",
        help_text=_("The peer's address, e.g. https://fdx.example.uz"),
    )
    role = forms.ChoiceField(label=_("Role"), choices=PeerRole.choices)
    country = forms.ModelChoiceField(
        label=_("Country"),
        queryset=None,
        required=False,
        help_text=_("The state of a national node; none for a hub or an international node."),
    )
    node_id = forms.CharField(
        label=_("Node identifier"),
        max_length=64,
        help_text=_("The peer's node identifier, as “fdx node show” prints it there."),
    )
    key_fingerprint = forms.CharField(
        label=_("Key fingerprint"),
        max_length=200,
        help_text=_("As checked with the peer's administrator by another channel (telephone, a letter)."),
    )
    public_key = forms.CharField(
        label=_("Public key (base64)"),
        max_length=100,
        required=False,
        help_text=_("The peer's Ed25519 public key; it must have the fingerprint above."),
    )
    organisations = forms.ModelMultipleChoiceField(
        label=_("Organisations it hosts"),
        queryset=None,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("The regional centre on a hub, the international organisation on an international node."),
    )
    relaying = forms.BooleanField(
        label=_("Relays records"), required=False, help_text=_("Only a regional hub relays others' records.")
    )

    def __init__(self, *args, **kwargs):
        from fdx.accounts.models import Organisation
        from fdx.geo.models import Country

        super().__init__(*args, **kwargs)
        self.fields["country"].queryset = Country.objects.order_by("code")
        self.fields["organisations"].queryset = Organisation.objects.filter(
            org_type__in=list(rules.SUPRANATIONAL_ORGANISATION_TYPES), is_active=True
        ).order_by("code")

    def action_values(self) -> dict:
        """The cleaned values as ``actions.register_peer`` takes them."""
        data = self.cleaned_data
        return {
            "name": data["name"],
            "url": data["url"],
            "role": data["role"],
            "country": data["country"],
            "node_id": data["node_id"].strip(),
            "key_fingerprint": data["key_fingerprint"],
            "public_key": data["public_key"],
            "organisations": list(data["organisations"]),
            "relaying": data["relaying"],
        }


class PeerReasonForm(forms.Form):
    """Why a peer is suspended, or why exchange with it resumes (required: it goes into the audit chain)."""

    reason = forms.CharField(
        label=_("Reason"), max_length=1000, widget=forms.Textarea(attrs={"rows": 2}), strip=True
    )
