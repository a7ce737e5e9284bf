"""The nodes this node exchanges records with."""

from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from fdx.core import signing
from fdx.core.distribution import DistributionLevel
from fdx.core.models import GlobalRecord
from fdx.exchange import rules
from fdx.exchange.choices import PeerRole, PublicationKind, SubscriptionOrigin

_hex64 = RegexValidator(r"^[0-9a-f]{64}$", _("64 lower-case hexadecimal digits (SHA-256)."))


class Peer(GlobalRecord):
    """Another node: where it is, what it is, the key its messages must carry, and how it proves itself.

    The fingerprint of the peer's Ed25519 key is read out between the two administrators by another channel
    (telephone, a letter) before the peer is registered; only messages signed by that key are accepted from
    it. The peer token is what the peer presents when it calls this node; only its SHA-256 is kept.
    """

    name = models.SlugField(_("name"), max_length=50, unique=True)
    url = models.URLField(
        _("address (URL)"),
        max_length=300,
        blank=True,
        help_text=_(
            "Empty for a node whose key is known but that this node does not call (its records come "
            "relayed through the hub)."
        ),
    )
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
    # Synchronisation. The token this node presents when it calls the peer (the peer generated it and its
    # administrator handed it over): kept as it is, because it must be sent; never shown or audited.
    outgoing_token = models.CharField(_("token for calling the peer"), max_length=200, blank=True)
    pulled_through = models.BigIntegerField(
        _("pulled through"), default=0, help_text=_("The last entry of the peer's queue applied here.")
    )
    acknowledged_through = models.BigIntegerField(
        _("acknowledged through"),
        default=0,
        help_text=_("The last entry of this node's queue the peer holds."),
    )
    last_attempt_at = models.DateTimeField(_("last attempt"), null=True, blank=True)
    last_success_at = models.DateTimeField(_("last successful sync"), null=True, blank=True)
    failures = models.PositiveIntegerField(_("failures in a row"), default=0)
    next_attempt_at = models.DateTimeField(_("next attempt"), null=True, blank=True)
    last_error = models.TextField(_("last error"), blank=True)

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


# What this node owes its peers, and what they hold


class CopyKind(models.TextChoices):
    """What an outbox entry carries to its peer."""

    CHANGE = "change", _("Change")  # this node's record, as the rules let it travel to the peer
    WITHDRAWAL = "withdrawal", _("Withdrawal")  # a copy the peer holds and may no longer hold
    RELAY = "relay", _("Relay")  # another node's record, forwarded unchanged (a hub)
    # This node's withdrawal, signed ahead for a relaying hub with a change that narrows the record's
    # audience: the hub keeps it for the copies it forwarded that the new version no longer reaches.
    ONWARD = "onward", _("Onward withdrawal")
    # The origin's onward withdrawal, forwarded unchanged (a hub) to a peer holding a copy through this node.
    RELAY_ONWARD = "relay_onward", _("Relayed withdrawal")


#: Entries that forward another node's message (built from ``ReceivedRecord``, never from a record here).
RELAYED_KINDS = frozenset({CopyKind.RELAY, CopyKind.RELAY_ONWARD})


class OutboxEntry(models.Model):
    """One record owed to one peer: the peer's own queue, read in ``sequence`` order (the cursor of pull and
    push). The message is built when it is sent, from the record as it is then, and the rules are asked
    again: nothing leaves that they do not allow at that moment. A dead peer's queue blocks only itself."""

    sequence = models.BigAutoField(primary_key=True)
    peer = models.ForeignKey(Peer, verbose_name=_("peer"), on_delete=models.CASCADE, related_name="outbox")
    model = models.CharField(_("record type"), max_length=60)
    global_id = models.UUIDField(_("global identifier"))
    version = models.PositiveIntegerField(_("version"))
    kind = models.CharField(_("kind"), max_length=12, choices=CopyKind.choices)
    enqueued_at = models.DateTimeField(_("enqueued at"), auto_now_add=True)
    refusal = models.CharField(_("refused by the peer"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("outbox entry")
        verbose_name_plural = _("outbox entries")
        default_permissions = ()
        indexes = [models.Index(fields=["peer", "sequence"], name="exchange_outbox_peer_seq")]

    def __str__(self):
        return f"#{self.sequence} {self.kind} {self.model} {self.global_id} v{self.version} → {self.peer_id}"


class PeerCopy(models.Model):
    """What a peer holds of this node's records (or will, once its queue is sent): the version and state
    last queued for it. Comparing it with what the rules allow now is how a change, a withdrawal (a level
    lowered, a result no longer shared) or nothing at all is decided — never by timestamps."""

    peer = models.ForeignKey(Peer, verbose_name=_("peer"), on_delete=models.CASCADE, related_name="copies")
    model = models.CharField(_("record type"), max_length=60)
    global_id = models.UUIDField(_("global identifier"))
    version = models.PositiveIntegerField(_("version"))
    state = models.CharField(_("state"), max_length=12)
    # The SHA-256 of what was queued, but for the version: the same version with another content (a level,
    # a group's members or a marked field changed) must go out as a new version.
    content_sha256 = models.CharField(_("content (SHA-256)"), max_length=64, blank=True)
    case_id = models.BigIntegerField(_("case"), db_index=True, null=True)
    publication_id = models.BigIntegerField(_("publication"), db_index=True, null=True)
    # Whom the copy queued for a relaying hub was for: its level and its sharing group's definition
    # (``outbox.audience``; null for other peers). The hub is sent an onward withdrawal with a change that
    # narrows it (null: not known, as if so).
    audience = models.JSONField(_("audience"), null=True, blank=True)

    class Meta:
        verbose_name = _("copy held by a peer")
        verbose_name_plural = _("copies held by peers")
        default_permissions = ()
        constraints = [
            models.UniqueConstraint(fields=["peer", "global_id"], name="exchange_one_copy_per_peer")
        ]

    def __str__(self):
        return f"{self.model} {self.global_id} v{self.version} on {self.peer_id}"


class ReceivedRecord(models.Model):
    """A record this node holds a copy of, received from another node: the version floor that makes
    receiving idempotent (an older or equal version changes nothing), where it came from and through which
    nodes, and the signed message as received (a hub forwards it unchanged). A withdrawn or deleted copy
    keeps this row with an empty message: the tombstone that stops an older version coming back."""

    global_id = models.UUIDField(_("global identifier"), unique=True)
    model = models.CharField(_("record type"), max_length=60)
    origin_node = models.UUIDField(_("origin node"))
    origin_organisation = models.CharField(_("origin organisation"), max_length=250, blank=True)
    version = models.PositiveIntegerField(_("version"))
    state = models.CharField(_("state"), max_length=12)
    level = models.CharField(_("distribution level"), max_length=20)
    path = models.JSONField(_("path (node identifiers)"), default=list)
    sender = models.ForeignKey(
        Peer, verbose_name=_("received from"), on_delete=models.PROTECT, null=True, related_name="+"
    )
    received_at = models.DateTimeField(_("received at"))
    message = models.BinaryField(_("signed message"), blank=True, default=b"")
    # On a relaying hub: the origin's latest onward withdrawal of the record (``messages``), forwarded to the
    # peers holding a copy through the hub that a newer version no longer reaches.
    onward_withdrawal = models.BinaryField(_("onward withdrawal"), blank=True, default=b"")

    class Meta:
        verbose_name = _("received record")
        verbose_name_plural = _("received records")
        default_permissions = ()

    def __str__(self):
        return f"{self.model} {self.global_id} v{self.version} from {self.origin_node}"


class ReceivedGroup(models.Model):
    """A sharing group this node first learnt of from a record of another node: which node defined it (only
    that node's records change it here) and the digest of the definition held (``fdx.exchange.groups``)."""

    group = models.OneToOneField(
        "accounts.SharingGroup", verbose_name=_("sharing group"), on_delete=models.CASCADE, related_name="+"
    )
    origin_node = models.UUIDField(_("defined on node"))
    definition_sha256 = models.CharField(_("definition (SHA-256)"), max_length=64)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("received sharing group")
        verbose_name_plural = _("received sharing groups")
        default_permissions = ()

    def __str__(self):
        return f"{self.group_id} from {self.origin_node}"


class ReceiptOutcome(models.TextChoices):
    APPLIED = "applied", _("Applied")
    UNCHANGED = "unchanged", _("Already held (no change)")
    REFUSED = "refused", _("Refused")


class Receipt(models.Model):
    """One message received: from which peer, by which channel, what it was and what became of it."""

    sequence = models.BigAutoField(primary_key=True)
    peer = models.ForeignKey(
        Peer, verbose_name=_("peer"), on_delete=models.PROTECT, null=True, related_name="receipts"
    )
    channel = models.CharField(_("channel"), max_length=10)  # pull, push, bundle, fetch
    model = models.CharField(_("record type"), max_length=60, blank=True)
    global_id = models.UUIDField(_("global identifier"), null=True)
    version = models.PositiveIntegerField(_("version"), null=True)
    state = models.CharField(_("state"), max_length=12, blank=True)
    outcome = models.CharField(_("outcome"), max_length=10, choices=ReceiptOutcome.choices)
    reason = models.CharField(_("reason"), max_length=500, blank=True)
    received_at = models.DateTimeField(_("received at"))

    class Meta:
        verbose_name = _("receipt")
        verbose_name_plural = _("receipts")
        default_permissions = ()
        indexes = [models.Index(fields=["peer", "-sequence"], name="exchange_receipt_peer_seq")]

    def __str__(self):
        return f"#{self.sequence} {self.outcome} {self.model} {self.global_id} v{self.version}"


class ImportedBundle(models.Model):
    """A bundle file applied here: a bundle is applied once (a replay is refused)."""

    bundle_id = models.UUIDField(_("bundle identifier"), unique=True)
    sender_node = models.UUIDField(_("exported by node"))
    peer = models.ForeignKey(Peer, verbose_name=_("peer"), on_delete=models.PROTECT, related_name="+")
    records = models.PositiveIntegerField(_("records"))
    applied = models.PositiveIntegerField(_("applied"))
    sha256 = models.CharField(_("SHA-256 of the file"), max_length=64)
    imported_at = models.DateTimeField(_("imported at"))

    class Meta:
        verbose_name = _("imported bundle")
        verbose_name_plural = _("imported bundles")
        default_permissions = ()

    def __str__(self):
        return str(self.bundle_id)


# Reference data: what this node publishes, who takes it, and what this node takes from others


#: The levels a publication may have: the others never leave the node.
PUBLISHED_LEVELS = (
    DistributionLevel.SHARING_GROUP,
    DistributionLevel.REGIONAL,
    DistributionLevel.INTERNATIONAL,
)


class Publication(GlobalRecord):
    """A set of reference data this node publishes (its own registered substances, one spectral library
    with its spectra, or the control lists of a jurisdiction it maintains) to the peers that subscribe to it,
    under the same sharing rules as case data: a peer receives it only where the level (or the group) lets
    its node hold it. A library is published at its own level and group; substances and lists at the
    publication's."""

    code = models.SlugField(_("code"), max_length=50, unique=True)
    name_en = models.CharField(_("name (English)"), max_length=250)
    name_ru = models.CharField(_("name (Russian)"), max_length=250, blank=True)
    description = models.TextField(_("description"), blank=True)
    kind = models.CharField(_("what it carries"), max_length=20, choices=PublicationKind.choices)
    spectral_library = models.OneToOneField(
        "spectra.SpectralLibrary",
        verbose_name=_("spectral library"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    jurisdiction = models.OneToOneField(
        "legal.Jurisdiction",
        verbose_name=_("jurisdiction"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text=_(
            "For control lists: the jurisdiction whose lists, definitions and thresholds it carries."
        ),
    )
    owner_organisation = models.ForeignKey(
        "accounts.Organisation",
        verbose_name=_("publishing organisation"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    distribution_level = models.CharField(
        _("distribution level"),
        max_length=20,
        choices=[(level.value, level.label) for level in PUBLISHED_LEVELS],
        default=DistributionLevel.REGIONAL,
        help_text=_("For a spectral library, the library's own level and group apply."),
    )
    sharing_group = models.ForeignKey(
        "accounts.SharingGroup",
        verbose_name=_("sharing group"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    active = models.BooleanField(
        _("published"),
        default=True,
        help_text=_("Withdrawn from every subscriber when cleared."),
    )
    created_by = models.ForeignKey(
        "accounts.User",
        verbose_name=_("created by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )

    audit_fields = (
        "code",
        "name_en",
        "name_ru",
        "description",
        "kind",
        "spectral_library",
        "jurisdiction",
        "owner_organisation",
        "distribution_level",
        "sharing_group",
        "active",
    )

    class Meta:
        verbose_name = _("publication")
        verbose_name_plural = _("publications")
        ordering = ["code"]
        default_permissions = ()
        constraints = [
            models.UniqueConstraint(
                fields=["kind"],
                condition=models.Q(kind="substances"),
                name="exchange_one_substances_publication",
            )
        ]

    def __str__(self):
        return self.code

    @property
    def name(self) -> str:
        return self.name_ru if (get_language() or "").startswith("ru") and self.name_ru else self.name_en


class Subscription(models.Model):
    """A peer that takes one of this node's publications: its queue carries the publication's records."""

    publication = models.ForeignKey(
        Publication, verbose_name=_("publication"), on_delete=models.CASCADE, related_name="subscriptions"
    )
    peer = models.ForeignKey(
        Peer, verbose_name=_("peer"), on_delete=models.CASCADE, related_name="subscriptions"
    )
    origin = models.CharField(_("made by"), max_length=20, choices=SubscriptionOrigin.choices)
    subscribed_at = models.DateTimeField(_("subscribed at"), auto_now_add=True)

    class Meta:
        verbose_name = _("subscription")
        verbose_name_plural = _("subscriptions")
        default_permissions = ()
        constraints = [
            models.UniqueConstraint(fields=["publication", "peer"], name="exchange_one_subscription_per_peer")
        ]

    def __str__(self):
        return f"{self.peer_id} ← {self.publication_id}"


class FollowedPublication(models.Model):
    """A publication of another node this node subscribed to (as that node described it when asked)."""

    peer = models.ForeignKey(Peer, verbose_name=_("peer"), on_delete=models.CASCADE, related_name="followed")
    publication_id = models.UUIDField(_("publication"))
    code = models.CharField(_("code"), max_length=50)
    name_en = models.CharField(_("name (English)"), max_length=250)
    name_ru = models.CharField(_("name (Russian)"), max_length=250, blank=True)
    kind = models.CharField(_("what it carries"), max_length=20, choices=PublicationKind.choices)
    subscribed_at = models.DateTimeField(_("subscribed at"), auto_now_add=True)

    class Meta:
        verbose_name = _("followed publication")
        verbose_name_plural = _("followed publications")
        default_permissions = ()
        constraints = [
            models.UniqueConstraint(
                fields=["peer", "publication_id"], name="exchange_one_follow_per_publication"
            )
        ]

    def __str__(self):
        return f"{self.peer_id}: {self.code}"

    @property
    def name(self) -> str:
        return self.name_ru if (get_language() or "").startswith("ru") and self.name_ru else self.name_en
