"""What may leave a node, and where it may go: the sharing rules between nodes, as data (Django-free).

Inside one node, ``fdx.accounts.sharing.shared_with`` decides which organisations see a record. Between nodes,
this module decides which *nodes* may receive a copy, on which path, and which of its fields travel. It
takes plain values (levels as their stored strings, nodes and sharing groups as small frozen dataclasses),
so that the transport, the bundle files and the tests all ask the same question the same way.

The network
    Each state runs a **national node** (one country). A **regional hub** (a regional centre such as CARICC)
    receives regional records and relays them to the other states' nodes. An **international node** is run
    by an international organisation (UNODC, say). A record starts on its **origin node** and travels along a
    path: directly from the origin to a receiver (hop 1), or through one relaying hub (hop 2). No other
    node forwards another's record, and no path is longer than ``MAX_HOPS``.

The levels (``REACH`` below holds the same as data)
    ``organisation`` and ``national``
        never leave the origin node (a state's bodies all work on its one node).
    ``sharing_group``
        reaches the nodes that host a member of the group: the national node of a member state body's
        country, and a hub or international node that names the member among the organisations it hosts.
        **The hub carries a group's record only when it hosts a member itself** (the regional centre is in
        the group): copies are not encrypted for their final receiver, so a relay reads what it carries, and
        a node outside the group must not. Otherwise the record goes directly from the origin to the
        members' nodes. An inactive group reaches nobody. The group's definition travels with the record
        (``fdx.exchange.messages``), so the receiver can recreate it rather than drop or lower the record.
    ``regional``
        reaches the hub and the national nodes of the region's states (directly or through the hub).
    ``international``
        reaches what ``regional`` reaches and the international organisations' nodes. A national node of a
        state outside the region receives a record only through a sharing group.

Every node on a path, relays included, must be reached by the level: a record never goes further than its
owner allowed, whatever the path (``decide`` checks the whole path, not only the last hop).

Which fields travel
    A copy that leaves the owner's country (any receiver other than a national node of that country) is
    pseudonymised by the table in ``fdx.exchange.pseudonymise``; the origin does that once, for the whole
    journey, and a relay forwards it unchanged.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from fdx.exchange import pseudonymise

#: Longest path: origin → hub → receiver.
MAX_HOPS = 2


class Level(enum.StrEnum):
    """The distribution levels, as stored (``fdx.core.distribution.DistributionLevel`` holds their labels)."""

    ORGANISATION = "organisation"
    NATIONAL = "national"
    SHARING_GROUP = "sharing_group"
    REGIONAL = "regional"
    INTERNATIONAL = "international"


class NodeRole(enum.StrEnum):
    """What a node is in the network (``FDX_NODE_ROLE`` on the node itself)."""

    NATIONAL = "national"  # a state's node
    HUB = "hub"  # the regional centre's node, which may relay
    INTERNATIONAL = "international"  # an international organisation's node


class MemberKind(enum.StrEnum):
    """What a sharing group's member organisation is, as far as the nodes are concerned."""

    STATE_BODY = "state_body"  # any organisation of a state (laboratory, police, customs, ministry ...)
    REGIONAL_CENTRE = "regional_centre"
    INTERNATIONAL = "international"


#: Organisation types (``fdx.accounts.choices.OrganisationType``) that are not a state's bodies.
SUPRANATIONAL_ORGANISATION_TYPES: Mapping[str, MemberKind] = {
    "regional_centre": MemberKind.REGIONAL_CENTRE,
    "international": MemberKind.INTERNATIONAL,
}


class Reach(enum.StrEnum):
    """Which kinds of node a level reaches (the rows of ``REACH``)."""

    HUB = "hub"
    REGION_STATES = "region_states"  # national nodes of the region's countries
    INTERNATIONAL_NODES = "international_nodes"
    GROUP_MEMBERS = "group_members"  # nodes hosting a member of the record's sharing group


#: The levels as data: the kinds of node each one reaches beyond its origin node.
REACH: Mapping[Level, frozenset[Reach]] = {
    Level.ORGANISATION: frozenset(),
    Level.NATIONAL: frozenset(),
    Level.SHARING_GROUP: frozenset({Reach.GROUP_MEMBERS}),
    Level.REGIONAL: frozenset({Reach.HUB, Reach.REGION_STATES}),
    Level.INTERNATIONAL: frozenset({Reach.HUB, Reach.REGION_STATES, Reach.INTERNATIONAL_NODES}),
}


class Refusal(enum.StrEnum):
    """Why a copy may not go (the codes the transport logs and the pages translate)."""

    STAYS_ON_ORIGIN = "stays_on_origin"  # organisation or national level
    NOT_FROM_ORIGIN = "not_from_origin"  # the path does not start on the record's origin node
    TOO_MANY_HOPS = "too_many_hops"
    LOOP = "loop"  # the receiver is already on the path
    RELAY_NOT_HUB = "relay_not_hub"  # a node other than a relaying hub forwards another's record
    RELAY_NOT_REACHED = "relay_not_reached"  # a relay that the level does not reach itself
    RECEIVER_NOT_REACHED = "receiver_not_reached"
    GROUP_MISSING = "group_missing"  # sharing-group level without the group's definition
    GROUP_INACTIVE = "group_inactive"


@dataclass(frozen=True)
class Node:
    """A node of the network as the rules see it.

    Parameters
    ----------
    node_id
        The node's identifier (``NodeIdentity.node_id``, as text).
    role
        National node, hub or international node.
    country
        ISO 3166-1 alpha-2 code of a national node's state; empty for a hub or an international node.
    organisations
        Global ids of the supranational organisations the node hosts (the regional centre on the hub, the
        organisation on an international node): how a sharing group's member is found on such a node.
    relays
        Whether the node forwards others' records (only a hub's relaying counts).
    """

    node_id: str
    role: NodeRole
    country: str = ""
    organisations: frozenset[str] = frozenset()
    relays: bool = False


@dataclass(frozen=True)
class Member:
    """A member organisation of a sharing group: its global id, its country and what it is."""

    organisation: str
    country: str
    kind: MemberKind = MemberKind.STATE_BODY
    #: The organisation's code: how a node recognises a supranational member it hosts under another id
    #: (the regional centre is recorded on each node separately).
    code: str = ""


@dataclass(frozen=True)
class Group:
    """A sharing group's definition (what travels with its records)."""

    group_id: str
    members: frozenset[Member]
    active: bool = True


@dataclass(frozen=True)
class Record:
    """What the rules need to know about one record.

    Parameters
    ----------
    model
        The record's model label (``examinations.case``): the row of the pseudonymisation table.
    level
        Its distribution level.
    origin_node
        The node that created it (its owner's node).
    owner_country
        Country of the owning organisation.
    group
        The sharing group's definition, for the sharing-group level.
    shareable
        Fields the owner marked shareable (personal and free-text fields that may then leave the country).
    """

    model: str
    level: Level
    origin_node: str
    owner_country: str
    group: Group | None = None
    shareable: frozenset[str] = frozenset()


@dataclass(frozen=True)
class Decision:
    """Whether a copy may go to a receiver along a path, and if so how each of its fields travels.

    ``fields`` maps every field that travels to its treatment (``keep`` or ``hmac``); a field that is not in
    it does not travel. Empty when the copy may not go.
    """

    allowed: bool
    refusal: Refusal | None = None
    leaves_country: bool = False
    fields: Mapping[str, pseudonymise.Treatment] = field(default_factory=dict)

    def __bool__(self) -> bool:
        return self.allowed


def hosts_member(node: Node, member: Member) -> bool:
    """Whether ``node`` is where ``member`` reads its shared records.

    Parameters
    ----------
    node
        A node of the network.
    member
        A sharing group's member: a state body is on its country's national node; a regional centre or an
        international organisation on the node that names it among its organisations.

    Returns
    -------
    bool
        True when the member works on ``node``.
    """
    if member.kind == MemberKind.STATE_BODY:
        return node.role == NodeRole.NATIONAL and node.country == member.country
    return member.organisation in node.organisations


def reached(record: Record, node: Node, region: frozenset[str]) -> bool:
    """Whether the record's level lets ``node`` hold a copy (the origin node always does).

    Parameters
    ----------
    record
        The record.
    node
        The node that would hold the copy, as a receiver or as a relay.
    region
        Country codes of the region's participating states.

    Returns
    -------
    bool
        True when ``REACH`` for the record's level covers the node.
    """
    if node.node_id == record.origin_node:
        return True
    reach = REACH[record.level]
    if Reach.HUB in reach and node.role == NodeRole.HUB:
        return True
    if Reach.REGION_STATES in reach and node.role == NodeRole.NATIONAL and node.country in region:
        return True
    if Reach.INTERNATIONAL_NODES in reach and node.role == NodeRole.INTERNATIONAL:
        return True
    if Reach.GROUP_MEMBERS in reach and record.group is not None and record.group.active:
        return any(hosts_member(node, member) for member in record.group.members)
    return False


def narrowed(before: Record, after: Record, region: frozenset[str]) -> bool:
    """Whether some node that ``before`` reaches is not reached by ``after``.

    The level was lowered, or the group lost a member or went inactive: a relay that forwarded ``before`` may
    have passed on copies that ``after`` no longer allows, and is sent the origin's onward withdrawal
    (``fdx.exchange.outbox``).

    Every node ``before`` reaches is reached as one of a few stand-ins is (a hub, an international node, each
    plain or hosting one supranational member of its group; a national node of each state of the region or
    of a member): a node ``before`` reaches that ``after`` does not has a stand-in that ``before`` reaches and
    ``after`` does not. So the answer is never "not narrowed" when some node lost the record; it may be
    "narrowed" for a node that no network has.

    Parameters
    ----------
    before
        The record as it was last sent.
    after
        The record as it is now.
    region
        Country codes of the region's participating states.

    Returns
    -------
    bool
        True when a stand-in reached by ``before`` is not reached by ``after``.
    """
    return any(
        reached(before, node, region) and not reached(after, node, region)
        for node in _stand_ins(before, region)
    )


def _stand_ins(record: Record, region: frozenset[str]):
    members = record.group.members if record.group is not None else frozenset()
    supranational = {m.organisation for m in members if m.kind != MemberKind.STATE_BODY}
    for role in (NodeRole.HUB, NodeRole.INTERNATIONAL):
        yield Node("", role)
        for organisation in sorted(supranational):
            yield Node("", role, organisations=frozenset({organisation}))
    countries = set(region) | {m.country for m in members if m.kind == MemberKind.STATE_BODY}
    for country in sorted(countries):
        yield Node("", NodeRole.NATIONAL, country)


def leaves_country(record: Record, receiver: Node) -> bool:
    """Whether a copy on ``receiver`` is outside the owner's country.

    A copy is pseudonymised when any node after the origin on its path, or its receiver, is outside.

    Parameters
    ----------
    record
        The record.
    receiver
        A node on the copy's path.

    Returns
    -------
    bool
        False only for a national node of the owner's country.
    """
    return not (receiver.role == NodeRole.NATIONAL and receiver.country == record.owner_country)


def decide(record: Record, path: Sequence[Node], receiver: Node, *, region: frozenset[str]) -> Decision:
    """May ``path[-1]`` send ``record`` to ``receiver``, the record having come along ``path``?

    Parameters
    ----------
    record
        The record.
    path
        The nodes the copy has been on, from the origin (``path[0]``) to the sender (``path[-1]``); the
        receiver's hop number is ``len(path)``.
    receiver
        The node it would go to.
    region
        Country codes of the region's participating states (``FDX_REGION_COUNTRIES``).

    Returns
    -------
    Decision
        Allowed or refused (with the first reason found), and the fields that travel.
    """
    refusal = _refusal(record, path, receiver, region)
    if refusal is not None:
        return Decision(allowed=False, refusal=refusal)
    leaves = any(leaves_country(record, node) for node in (*path[1:], receiver))
    return Decision(
        allowed=True,
        leaves_country=leaves,
        fields=pseudonymise.travelling_fields(
            record.model, leaves_country=leaves, shareable=record.shareable
        ),
    )


def _refusal(record: Record, path: Sequence[Node], receiver: Node, region: frozenset[str]) -> Refusal | None:
    if not path or path[0].node_id != record.origin_node:
        return Refusal.NOT_FROM_ORIGIN
    if not REACH[record.level]:
        return Refusal.STAYS_ON_ORIGIN
    if record.level == Level.SHARING_GROUP:
        if record.group is None:
            return Refusal.GROUP_MISSING
        if not record.group.active:
            return Refusal.GROUP_INACTIVE
    if len(path) > MAX_HOPS:
        return Refusal.TOO_MANY_HOPS
    if receiver.node_id in {node.node_id for node in path}:
        return Refusal.LOOP
    for relay in path[1:]:
        if relay.role != NodeRole.HUB or not relay.relays:
            return Refusal.RELAY_NOT_HUB
        if not reached(record, relay, region):
            return Refusal.RELAY_NOT_REACHED
    if not reached(record, receiver, region):
        return Refusal.RECEIVER_NOT_REACHED
    return None


def allowed_receivers(
    record: Record, path: Sequence[Node], peers: Sequence[Node], *, region: frozenset[str]
) -> list[Node]:
    """The peers among ``peers`` that the last node of ``path`` may send ``record`` to.

    Parameters
    ----------
    record
        The record.
    path
        The nodes the copy has been on, from its origin to the sender.
    peers
        The sender's peers.
    region
        Country codes of the region's participating states.

    Returns
    -------
    list of Node
        Those of ``peers`` that ``decide`` allows, in their order.
    """
    return [peer for peer in peers if decide(record, path, peer, region=region)]
