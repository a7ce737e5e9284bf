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
from fdx.core.node import local_node_id
from fdx.exchange import audit_events, rules
from fdx.exchange.choices import PeerRole
from fdx.exchange.models import Peer

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
    return _set_suspended(actor, peer, False, reason.strip(), audit_events.PEER_RESUMED)


def _set_suspended(actor, peer: Peer, suspended: bool, reason: str, event) -> Peer:
    before = snapshot(peer, Peer.audit_fields)
    peer.suspended = suspended
    peer.suspended_at = timezone.now() if suspended else None
    peer.suspension_reason = reason if suspended else ""
    peer.save(update_fields=["suspended", "suspended_at", "suspension_reason", "updated_at"])
    old, new = changes(before, snapshot(peer, Peer.audit_fields))
    record(event, actor=actor, obj=peer, before=old, after=new, reason=reason)
    return peer
