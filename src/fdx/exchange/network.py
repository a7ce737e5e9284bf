"""This node's view of the network, in the terms of the Django-free rules and messages: this node and its
peers as ``rules.Node``, a sharing group as ``rules.Group``, and the keys it trusts as a ``KeyRing``."""

from __future__ import annotations

from django.conf import settings

from fdx.accounts.models import Organisation
from fdx.core import node, signing
from fdx.core.models import NodeKey
from fdx.exchange import rules
from fdx.exchange.messages import KeyRing
from fdx.exchange.models import Peer


def member_kind(org_type: str) -> rules.MemberKind:
    """What an organisation of type ``org_type`` is as a sharing group's member."""
    return rules.SUPRANATIONAL_ORGANISATION_TYPES.get(org_type, rules.MemberKind.STATE_BODY)


def rules_group(group) -> rules.Group:
    """A ``SharingGroup`` as the rules see it: its members' global ids, countries and kinds."""
    members = frozenset(
        rules.Member(str(o.global_id), o.country_id, member_kind(o.org_type), o.code)
        for o in group.organisations.all()
    )
    return rules.Group(str(group.global_id), members, group.is_active)


def this_node() -> rules.Node:
    """This node (``FDX_NODE_ROLE``, ``FDX_NODE_COUNTRY``); a hub or an international node hosts the
    supranational organisations recorded on it."""
    role = rules.NodeRole(settings.FDX_NODE_ROLE)
    if role == rules.NodeRole.NATIONAL:
        return rules.Node(str(node.local_node_id()), role, settings.FDX_NODE_COUNTRY)
    hosted = Organisation.objects.filter(
        org_type__in=list(rules.SUPRANATIONAL_ORGANISATION_TYPES), is_active=True
    ).values_list("global_id", flat=True)
    return rules.Node(str(node.local_node_id()), role, "", frozenset(str(g) for g in hosted), relays=True)


def own_organisations():
    """The organisations whose records this node holds as their origin: its country's on a national node,
    the supranational ones it hosts on a hub or an international node (a publication's publisher is one)."""
    this = this_node()
    if this.role == rules.NodeRole.NATIONAL:
        return Organisation.objects.filter(country_id=this.country, is_active=True)
    return Organisation.objects.filter(global_id__in=list(this.organisations))


def peer_nodes() -> list[rules.Node]:
    """The peers that are not suspended, as the rules see them."""
    peers = Peer.objects.filter(suspended=False).prefetch_related("organisations").order_by("name")
    return [peer.as_rules_node() for peer in peers]


def keyring() -> KeyRing:
    """The keys this node trusts: every key it has had itself, and the checked key of each peer that is not
    suspended (a suspended peer's messages then fail with an unknown key)."""
    ring = KeyRing()
    local = str(node.local_node_id())
    for public_key in NodeKey.objects.values_list("public_key", flat=True):
        ring.add(local, signing.public_key_from_text(public_key))
    for peer in Peer.objects.filter(suspended=False).exclude(public_key=""):
        ring.add(str(peer.node_id), signing.public_key_from_text(peer.public_key))
    return ring
