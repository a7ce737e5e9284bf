"""Forms of the peer pages (registering a peer, the reason for suspending or resuming one) and of the
publication pages."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from fdx.exchange import rules
from fdx.exchange.choices import PeerRole, PublicationKind
from fdx.exchange.models import PUBLISHED_LEVELS


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


class PublicationForm(forms.Form):
    """Publishing reference data: what ``actions.create_publication`` takes."""

    code = forms.SlugField(
        label=_("Code"), max_length=50, help_text=_("Short stable name, e.g. kz-registry.")
    )
    name_en = forms.CharField(label=_("Name (English)"), max_length=250)
    name_ru = forms.CharField(label=_("Name (Russian)"), max_length=250, required=False)
    description = forms.CharField(
        label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 3}), max_length=5000
    )
    kind = forms.ChoiceField(label=_("What it carries"), choices=PublicationKind.choices)
    spectral_library = forms.ModelChoiceField(
        label=_("Spectral library"),
        queryset=None,
        required=False,
        help_text=_("Only for a spectral library: it is published at its own distribution level and group."),
    )
    jurisdiction = forms.ModelChoiceField(
        label=_("Jurisdiction"),
        queryset=None,
        required=False,
        help_text=_("Only for control lists: a jurisdiction the publishing organisation maintains."),
    )
    owner_organisation = forms.ModelChoiceField(label=_("Publishing organisation"), queryset=None)
    distribution_level = forms.ChoiceField(
        label=_("Distribution level"),
        choices=[(level.value, level.label) for level in PUBLISHED_LEVELS],
        initial="regional",
        help_text=_("Substances and control lists: who may receive them (the same rules as for cases)."),
    )
    sharing_group = forms.ModelChoiceField(
        label=_("Sharing group"),
        queryset=None,
        required=False,
        help_text=_("Only for the sharing-group level."),
    )

    def __init__(self, *args, **kwargs):
        from fdx.accounts.models import SharingGroup
        from fdx.core.node import local_node_id
        from fdx.exchange import network
        from fdx.legal.models import Jurisdiction
        from fdx.spectra.models import SpectralLibrary

        super().__init__(*args, **kwargs)
        self.fields["spectral_library"].queryset = SpectralLibrary.objects.filter(
            origin_node=local_node_id()
        ).order_by("name", "version")
        self.fields["owner_organisation"].queryset = network.own_organisations().order_by("code")
        self.fields["jurisdiction"].queryset = Jurisdiction.objects.order_by("position", "code")
        self.fields["sharing_group"].queryset = SharingGroup.objects.filter(is_active=True).order_by("code")

    def action_values(self) -> dict:
        return dict(self.cleaned_data)


class PublicationChangeForm(forms.Form):
    """Changing a publication: ``actions.update_publication``'s values."""

    name_en = forms.CharField(label=_("Name (English)"), max_length=250)
    name_ru = forms.CharField(label=_("Name (Russian)"), max_length=250, required=False)
    description = forms.CharField(
        label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 3}), max_length=5000
    )
    distribution_level = forms.ChoiceField(
        label=_("Distribution level"),
        choices=[(level.value, level.label) for level in PUBLISHED_LEVELS],
        help_text=_("Substances and control lists; a spectral library keeps its own."),
    )
    sharing_group = forms.ModelChoiceField(label=_("Sharing group"), queryset=None, required=False)
    active = forms.BooleanField(
        label=_("Published"), required=False, help_text=_("Cleared: withdrawn from every subscriber.")
    )

    def __init__(self, *args, **kwargs):
        from fdx.accounts.models import SharingGroup

        super().__init__(*args, **kwargs)
        self.fields["sharing_group"].queryset = SharingGroup.objects.filter(is_active=True).order_by("code")


class SubscriberForm(forms.Form):
    """A peer subscribed by this node's administrator (one reached by bundle files)."""

    peer = forms.ModelChoiceField(label=_("Peer"), queryset=None)

    def __init__(self, *args, **kwargs):
        from fdx.exchange.models import Peer

        super().__init__(*args, **kwargs)
        self.fields["peer"].queryset = Peer.objects.filter(suspended=False).order_by("name")
