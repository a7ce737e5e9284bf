"""Every change to this node's exchange set-up: registering peers, suspending and resuming them (audited)."""

from __future__ import annotations

import uuid

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from fdx.accounts import tokens
from fdx.audit.actions import changes, record, snapshot
from fdx.core.actors import require_permission
from fdx.core.distribution import DistributionLevel
from fdx.core.node import local_node_id
from fdx.exchange import audit_events, rules
from fdx.exchange.choices import PeerRole, PublicationKind, SubscriptionOrigin
from fdx.exchange.models import PUBLISHED_LEVELS, FollowedPublication, Peer, Publication, Subscription
from fdx.legal.actions.common import may_maintain_as

MANAGE_PEERS = "exchange.manage_peers"


def normalise_fingerprint(text: str) -> str:
    """A fingerprint as read out (``AB12 cd34 …``, with spaces or colons) in the stored form."""
    return "".join(text.replace(":", " ").split()).lower()


@transaction.atomic
def register_peer(
    actor,
    *,
    name: str,
    url: str,
    role: str,
    node_id: str | uuid.UUID,
    key_fingerprint: str,
    country=None,
    relaying: bool = False,
    public_key: str = "",
    organisations=(),
) -> tuple[Peer, str]:
    """Register another node as a peer (node administrators). ``organisations`` are the supranational
    organisations a hub or an international node hosts (how sharing groups find it). Returns the peer and
    its token, which is shown once to be handed to the peer's administrator; only its hash is kept."""
    require_permission(actor, MANAGE_PEERS)
    try:
        node_id = uuid.UUID(str(node_id))
    except ValueError:
        raise ValidationError({"node_id": _("Not a node identifier (a UUID).")}) from None
    if node_id == local_node_id():
        raise ValidationError({"node_id": _("This is this node's own identifier.")})
    token = tokens.generate_token()
    peer = Peer(
        name=name,
        url=url,
        role=role,
        node_id=node_id,
        key_fingerprint=normalise_fingerprint(key_fingerprint),
        country=country,
        relaying=relaying,
        public_key=public_key.strip(),
        token_hash=tokens.hash_token(token),
    )
    peer.full_clean()
    _check_hosted(peer, organisations)
    peer.save()
    peer.organisations.set(organisations)
    record(audit_events.PEER_REGISTERED, actor=actor, obj=peer, after=snapshot(peer, Peer.audit_fields))
    _backfill_after_commit(peer)
    return peer, token


def _check_hosted(peer: Peer, organisations) -> None:
    """Only a hub or an international node hosts organisations, and only supranational ones."""
    if not organisations:
        return
    if peer.role == PeerRole.NATIONAL:
        raise ValidationError(
            {"organisations": _("A national node hosts its country's organisations; name none.")}
        )
    for organisation in organisations:
        if organisation.org_type not in rules.SUPRANATIONAL_ORGANISATION_TYPES:
            raise ValidationError(
                {
                    "organisations": _("%(organisation)s is a state's organisation, on its national node.")
                    % {"organisation": organisation.code}
                }
            )


@transaction.atomic
def suspend_peer(actor, peer: Peer, *, reason: str) -> Peer:
    """Stop exchanging with a peer (its calls are refused and nothing is sent to it) until it is resumed."""
    require_permission(actor, MANAGE_PEERS)
    peer = Peer.objects.select_for_update().get(pk=peer.pk)
    if not reason.strip():
        raise ValidationError({"reason": _("Say why the peer is suspended.")})
    if peer.suspended:
        raise ValidationError(_("This peer is already suspended."))
    return _set_suspended(actor, peer, True, reason.strip(), audit_events.PEER_SUSPENDED)


@transaction.atomic
def resume_peer(actor, peer: Peer, *, reason: str) -> Peer:
    """Exchange with a suspended peer again."""
    require_permission(actor, MANAGE_PEERS)
    peer = Peer.objects.select_for_update().get(pk=peer.pk)
    if not reason.strip():
        raise ValidationError({"reason": _("Say why exchange with the peer resumes.")})
    if not peer.suspended:
        raise ValidationError(_("This peer is not suspended."))
    peer = _set_suspended(actor, peer, False, reason.strip(), audit_events.PEER_RESUMED)
    _backfill_after_commit(peer)
    return peer


def _set_suspended(actor, peer: Peer, suspended: bool, reason: str, event) -> Peer:
    before = snapshot(peer, Peer.audit_fields)
    peer.suspended = suspended
    peer.suspended_at = timezone.now() if suspended else None
    peer.suspension_reason = reason if suspended else ""
    peer.save(update_fields=["suspended", "suspended_at", "suspension_reason", "updated_at"])
    old, new = changes(before, snapshot(peer, Peer.audit_fields))
    record(event, actor=actor, obj=peer, before=old, after=new, reason=reason)
    return peer


# Synchronisation


@transaction.atomic
def set_outgoing_token(actor, peer: Peer, *, token: str) -> Peer:
    """Record the token this node presents when it calls ``peer`` (generated there, handed over by its
    administrator). Audited without the token."""
    require_permission(actor, MANAGE_PEERS)
    token = token.strip()
    if not token or len(token) > 200 or any(c.isspace() for c in token):
        raise ValidationError({"token": _("Paste the token exactly as the peer's administrator gave it.")})
    peer = Peer.objects.select_for_update().get(pk=peer.pk)
    peer.outgoing_token = token
    peer.next_attempt_at = None  # try at once
    peer.save(update_fields=["outgoing_token", "next_attempt_at", "updated_at"])
    record(audit_events.PEER_TOKEN_SET, actor=actor, obj=peer)
    return peer


def sync_peer(actor, peer: Peer):
    """Pull from and push to ``peer`` now (``fdx exchange sync``, the page's button, the worker); audits
    what was received."""
    from fdx.exchange import transport

    require_permission(actor, MANAGE_PEERS)
    result = transport.sync(peer)
    if result.pulled:
        record_received(actor, peer, "pull", result.applied, result.unchanged, result.refused)
    return result


def record_received(
    actor, peer: Peer, channel: str, applied: int, unchanged: int, refused: int, **extra
) -> None:
    """One audit event for one batch of receipts (a sync's pull, a bundle): the counts; each record's receipt
    is in ``Receipt``."""
    record(
        audit_events.RECEIVED,
        actor=actor,
        obj=peer,
        after={"channel": channel, "applied": applied, "unchanged": unchanged, "refused": refused, **extra},
    )


def export_bundle(actor, peer: Peer, handle, *, since: int | None = None):
    """Write ``peer``'s queue as a signed bundle file (for an air-gapped peer); audited."""
    from fdx.exchange import bundles

    require_permission(actor, MANAGE_PEERS)
    result = bundles.export(peer, handle, since=since)
    record(
        audit_events.BUNDLE_EXPORTED,
        actor=actor,
        obj=peer,
        after={
            "bundle_id": result.bundle_id,
            "records": result.records,
            "after": result.after,
            "through": result.through,
        },
    )
    return result


def import_bundle(actor, path):
    """Check and apply a bundle file (all of it, or nothing when it is refused); audited either way."""
    from fdx.exchange import bundles

    require_permission(actor, MANAGE_PEERS)
    try:
        result = bundles.import_bundle(path)
    except bundles.BundleError as exc:
        record(
            audit_events.BUNDLE_REFUSED,
            actor=actor,
            object_type="exchange.bundle",
            object_repr=str(path.name)[:200],
            after={"code": exc.code},
            reason=str(exc)[:500],
        )
        raise
    peer = Peer.objects.get(name=result.peer)
    record(
        audit_events.BUNDLE_IMPORTED,
        actor=actor,
        obj=peer,
        after={
            "bundle_id": result.bundle_id,
            "records": result.records,
            "applied": result.applied,
            "unchanged": result.unchanged,
            "refused": result.refused,
            "through": result.through,
        },
    )
    return result


def _backfill_after_commit(peer: Peer) -> None:
    """Once the peer is registered (or resumed), queue everything it is owed, in the background."""
    from fdx.exchange.tasks import backfill_peer

    transaction.on_commit(lambda: backfill_peer.enqueue(peer.pk))


def sync_due(actor) -> list:
    """Sync every peer that is due (the worker's sweep): each well peer once a minute, a failing one after
    its back-off."""
    from fdx.exchange import transport

    return [sync_peer(actor, peer) for peer in transport.due_peers()]


def requeue(actor, peers: list[Peer] | None = None) -> int:
    """Queue, for ``peers`` (default: every active one), whatever they are owed of every case; returns how
    many entries. Idempotent: what a peer holds is not queued again."""
    from fdx.exchange import outbox, publications
    from fdx.exchange.tasks import candidate_chunks

    require_permission(actor, MANAGE_PEERS)
    peers = outbox.active_peers() if peers is None else [p for p in peers if not p.suspended]
    queued = sum(outbox.refresh_cases(chunk, peers) for chunk in candidate_chunks())
    return queued + sum(publications.refresh(p, peers) for p in Publication.objects.all())


# Reference data: publications and subscriptions


@transaction.atomic
def create_publication(
    actor,
    *,
    code: str,
    name_en: str,
    kind: str,
    owner_organisation,
    name_ru: str = "",
    description: str = "",
    spectral_library=None,
    jurisdiction=None,
    distribution_level: str = DistributionLevel.REGIONAL,
    sharing_group=None,
) -> Publication:
    """Publish reference data of this node (its registered substances, one of its spectral libraries, or the
    control lists of a jurisdiction its publishing organisation maintains) to the peers that subscribe to
    it (node administrators)."""
    require_permission(actor, MANAGE_PEERS)
    publication = Publication(
        code=code.strip(),
        name_en=name_en.strip(),
        name_ru=name_ru.strip(),
        description=description.strip(),
        kind=kind,
        spectral_library=spectral_library,
        jurisdiction=jurisdiction,
        owner_organisation=owner_organisation,
        distribution_level=distribution_level,
        sharing_group=sharing_group,
        created_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    _check_publication(publication)
    publication.save()
    record(
        audit_events.PUBLICATION_CREATED,
        actor=actor,
        obj=publication,
        after=snapshot(publication, Publication.audit_fields),
    )
    _refresh_after_commit(publication)
    return publication


#: What ``update_publication`` may change (the kind and the library are what the publication is).
PUBLICATION_CHANGEABLE = (
    "name_en",
    "name_ru",
    "description",
    "distribution_level",
    "sharing_group",
    "active",
)


@transaction.atomic
def update_publication(actor, publication: Publication, **values) -> Publication:
    """Change a publication's names, level, group or whether it is published; what its subscribers may no
    longer hold is withdrawn from them."""
    require_permission(actor, MANAGE_PEERS)
    unknown = set(values) - set(PUBLICATION_CHANGEABLE)
    if unknown:
        raise ValidationError(
            _("These cannot be changed: %(fields)s") % {"fields": ", ".join(sorted(unknown))}
        )
    publication = Publication.objects.select_for_update().get(pk=publication.pk)
    before = snapshot(publication, Publication.audit_fields)
    for name, value in values.items():
        setattr(publication, name, value.strip() if isinstance(value, str) else value)
    _check_publication(publication)
    old, new = changes(before, snapshot(publication, Publication.audit_fields))
    if new:
        publication.save()
        record(audit_events.PUBLICATION_CHANGED, actor=actor, obj=publication, before=old, after=new)
        _refresh_after_commit(publication)
    return publication


def _check_publication(publication: Publication) -> None:
    from fdx.exchange import network

    publication.full_clean()
    errors = {}
    if not network.own_organisations().filter(pk=publication.owner_organisation_id).exists():
        errors["owner_organisation"] = _("Only an organisation of this node publishes from it.")
    if publication.kind == PublicationKind.SPECTRAL_LIBRARY:
        library = publication.spectral_library
        if library is None:
            errors["spectral_library"] = _("Choose the spectral library to publish.")
        elif not library.is_local:
            errors["spectral_library"] = _("Only a library created on this node can be published from it.")
        elif library.distribution_level not in PUBLISHED_LEVELS:
            errors["spectral_library"] = _(
                "The library's distribution level keeps it on this node: raise it on the library's page "
                "first."
            )
    else:
        publication.spectral_library = None
    if publication.kind == PublicationKind.LEGAL_LISTS:
        _check_jurisdiction(publication, errors)
    else:
        publication.jurisdiction = None
    if (
        publication.kind != PublicationKind.SPECTRAL_LIBRARY
        and publication.distribution_level == DistributionLevel.SHARING_GROUP
        and publication.sharing_group is None
    ):
        errors["sharing_group"] = _("Choose the sharing group.")
    if publication.distribution_level != DistributionLevel.SHARING_GROUP:
        publication.sharing_group = None
    if errors:
        raise ValidationError(errors)


def _check_jurisdiction(publication: Publication, errors: dict) -> None:
    """Only the lists of a jurisdiction the publishing organisation may maintain (its own country's; every
    one for a supranational body) are published, by the legal engine's own rule."""
    if publication.jurisdiction is None:
        errors["jurisdiction"] = _("Choose the jurisdiction whose lists are published.")
    elif publication.owner_organisation_id and not may_maintain_as(
        publication.owner_organisation, publication.jurisdiction
    ):
        errors["jurisdiction"] = _("The publishing organisation does not maintain this jurisdiction's lists.")


@transaction.atomic
def add_subscriber(actor, publication: Publication, peer: Peer, *, origin: str) -> Subscription:
    """Let ``peer`` take ``publication``: asked by the peer over the network (``origin`` "peer"; ``actor`` is
    the peer's call), or added by this node's administrator for a peer reached by bundle files. The rules
    still decide, record by record, what its node may hold."""
    if origin == SubscriptionOrigin.ADMINISTRATOR:
        require_permission(actor, MANAGE_PEERS)
    if not publication.active:
        raise ValidationError(_("This publication is not published at the moment."))
    if peer.suspended:
        raise ValidationError(_("This peer is suspended."))
    subscription, created = Subscription.objects.get_or_create(
        publication=publication, peer=peer, defaults={"origin": origin}
    )
    if created:
        record(
            audit_events.SUBSCRIBER_ADDED,
            actor=actor,
            obj=publication,
            after={"peer": peer.name, "origin": origin},
        )
        _refresh_after_commit(publication)
    return subscription


@transaction.atomic
def remove_subscriber(actor, publication: Publication, peer: Peer, *, origin: str) -> bool:
    """End ``peer``'s subscription: the copies it holds of the publication are withdrawn from it."""
    if origin == SubscriptionOrigin.ADMINISTRATOR:
        require_permission(actor, MANAGE_PEERS)
    deleted, _count = Subscription.objects.filter(publication=publication, peer=peer).delete()
    if deleted:
        record(
            audit_events.SUBSCRIBER_REMOVED,
            actor=actor,
            obj=publication,
            after={"peer": peer.name, "origin": origin},
        )
        _refresh_after_commit(publication)
    return bool(deleted)


def _refresh_after_commit(publication: Publication) -> None:
    """Its subscribers' queues learn what they are now owed, after commit, in the background (a domain event
    of the exchange's own, so that a refresh that fails is retried as any delivery is)."""
    from fdx.core.events import emit
    from fdx.exchange import events

    emit(events.PUBLICATION_CHANGED, obj=publication)


def follow(actor, peer: Peer, publication_id) -> FollowedPublication:
    """Subscribe to a publication of ``peer`` (asked of the peer over the network); its records then come
    with each pull."""
    from fdx.exchange import transport

    require_permission(actor, MANAGE_PEERS)
    described = transport.subscribe(peer, str(publication_id))
    with transaction.atomic():
        followed, _created = FollowedPublication.objects.update_or_create(
            peer=peer,
            publication_id=described["id"],
            defaults={
                "code": str(described.get("code", ""))[:50],
                "name_en": str(described.get("name_en", ""))[:250],
                "name_ru": str(described.get("name_ru", ""))[:250],
                "kind": str(described.get("kind", "")),
            },
        )
        record(
            audit_events.PUBLICATION_FOLLOWED,
            actor=actor,
            obj=peer,
            after={"publication": followed.code, "id": str(followed.publication_id)},
        )
    return followed


def unfollow(actor, peer: Peer, publication_id) -> None:
    """End this node's subscription to a publication of ``peer``: the peer withdraws what it sent of it."""
    from fdx.exchange import transport

    require_permission(actor, MANAGE_PEERS)
    transport.unsubscribe(peer, str(publication_id))
    with transaction.atomic():
        followed = FollowedPublication.objects.filter(peer=peer, publication_id=publication_id).first()
        FollowedPublication.objects.filter(peer=peer, publication_id=publication_id).delete()
        record(
            audit_events.PUBLICATION_UNFOLLOWED,
            actor=actor,
            obj=peer,
            after={"publication": followed.code if followed else "", "id": str(publication_id)},
        )
