"""The nodes this node exchanges records with."""

from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from fdx.core import signing
from fdx.core.models import GlobalRecord
from fdx.exchange import rules
from fdx.exchange.choices import PeerRole

_hex64 = RegexValidator(r"^[0-9a-f]{64}$", _("64 lower-case hexadecimal digits (SHA-256)."))


class Peer(GlobalRecord):
    """Another node: where it is, what it is, the key its messages must carry, and how it proves itself.

    The fingerprint of the peer's Ed25519 key is read out between the two administrators by another channel
    (telephone, a letter) before the peer is registered; only messages signed by that key are accepted from
    it. The peer token is what the peer presents when it calls this node; only its SHA-256 is kept.
    """

    name = models.SlugField(_("name"), max_length=50, unique=True)
    url = models.URLField(_("address (URL)"), max_length=300)
    role = models.CharField(_("role"), max_length=20, choices=PeerRole.choices)
    country = models.ForeignKey(
        "geo.Country",
        verbose_name=_("country"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("The state of a national node; none for a hub or an international node."),
    )
    node_id = models.UUIDField(_("node identifier"), unique=True)
    key_fingerprint = models.CharField(
        _("key fingerprint (SHA-256, hex)"),
        max_length=64,
        validators=[_hex64],
        help_text=_("Checked with the peer's administrator by another channel before registering."),
    )
    public_key = models.CharField(
        _("public key (base64)"),
        max_length=64,
        blank=True,
        help_text=_("The peer's Ed25519 public key; it must have the fingerprint above."),
    )
    organisations = models.ManyToManyField(
        "accounts.Organisation",
        verbose_name=_("organisations it hosts"),
        blank=True,
        related_name="+",
        help_text=_("The regional centre on a hub, the organisation on an international node."),
    )
    token_hash = models.CharField(_("peer token (SHA-256)"), max_length=64, unique=True, editable=False)
    relaying = models.BooleanField(
        _("relays records"), default=False, help_text=_("Only a regional hub relays others' records.")
    )
    suspended = models.BooleanField(_("suspended"), default=False)
    suspended_at = models.DateTimeField(_("suspended at"), null=True, blank=True)
    suspension_reason = models.TextField(_("why it is suspended"), blank=True)

    audit_fields = (
        "name",
        "url",
        "role",
        "country",
        "node_id",
        "key_fingerprint",
        "public_key",
        "organisations",
        "relaying",
        "suspended",
        "suspension_reason",
    )

    class Meta:
        verbose_name = _("peer")
        verbose_name_plural = _("peers")
        ordering = ["name"]
        default_permissions = ()
        permissions = [("manage_peers", _("Can register, suspend and resume peers"))]

    def __str__(self):
        return self.name

    def clean(self):
        super().clean()
        errors = {}
        if self.role == PeerRole.NATIONAL and not self.country_id:
            errors["country"] = _("A national node belongs to a country.")
        if self.role != PeerRole.NATIONAL and self.country_id:
            errors["country"] = _("Only a national node belongs to a country.")
        if self.relaying and self.role != PeerRole.HUB:
            errors["relaying"] = _("Only a regional hub relays others' records.")
        if self.public_key and "key_fingerprint" not in errors:
            problem = self._public_key_problem()
            if problem:
                errors["public_key"] = problem
        if errors:
            raise ValidationError(errors)

    def _public_key_problem(self):
        try:
            key = signing.public_key_from_text(self.public_key)
        except ValueError:
            return _("Not an Ed25519 public key (base64 of 32 bytes).")
        if signing.fingerprint(key) != self.key_fingerprint:
            return _("This key does not have the fingerprint checked with the peer's administrator.")
        return None

    def as_rules_node(self) -> rules.Node:
        """The peer as the sharing rules see it (a suspended peer relays nothing)."""
        return rules.Node(
            node_id=str(self.node_id),
            role=rules.NodeRole(self.role),
            country=self.country_id or "",
            organisations=frozenset(str(o.global_id) for o in self.organisations.all()),
            relays=self.relaying and not self.suspended,
        )
