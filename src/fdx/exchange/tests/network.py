"""A small network for the exchange tests: the region's nodes, a hub, an international node, and one state
outside the region; and the organisations that sharing groups draw their members from."""

from fdx.exchange.rules import Group, Level, Member, MemberKind, Node, NodeRole, Record

REGION = frozenset({"KZ", "KG", "TJ", "TM", "UZ"})

CARICC = "org-caricc"  # the regional centre, hosted by the hub
UNODC = "org-unodc"

KZ = Node("node-kz", NodeRole.NATIONAL, "KZ")
KZ_HEALTH = Node("node-kz-health", NodeRole.NATIONAL, "KZ")  # a second node in the same country
UZ = Node("node-uz", NodeRole.NATIONAL, "UZ")
KG = Node("node-kg", NodeRole.NATIONAL, "KG")
AF = Node("node-af", NodeRole.NATIONAL, "AF")  # a state outside the region
HUB = Node("node-hub", NodeRole.HUB, organisations=frozenset({CARICC}), relays=True)
QUIET_HUB = Node("node-hub-quiet", NodeRole.HUB, organisations=frozenset({"org-other-centre"}), relays=False)
UN = Node("node-unodc", NodeRole.INTERNATIONAL, organisations=frozenset({UNODC}))

NODES = {node.node_id: node for node in (KZ, KZ_HEALTH, UZ, KG, AF, HUB, QUIET_HUB, UN)}

KZ_LAB = Member("org-kz-lab", "KZ")
UZ_POLICE = Member("org-uz-police", "UZ")
AF_CUSTOMS = Member("org-af-customs", "AF")
CARICC_MEMBER = Member(CARICC, "KZ", MemberKind.REGIONAL_CENTRE)  # hosted in Almaty, yet not a KZ body
UNODC_MEMBER = Member(UNODC, "AT", MemberKind.INTERNATIONAL)

GROUPS = {
    "kz-uz": Group("group-kz-uz", frozenset({KZ_LAB, UZ_POLICE})),
    "with-hub": Group("group-with-hub", frozenset({KZ_LAB, CARICC_MEMBER, AF_CUSTOMS})),
    "with-unodc": Group("group-with-unodc", frozenset({KZ_LAB, UNODC_MEMBER})),
    "inactive": Group("group-inactive", frozenset({KZ_LAB, UZ_POLICE}), active=False),
}


def case(level: Level, group: str | None = None, shareable: frozenset[str] = frozenset()) -> Record:
    """A case created on the Kazakh node by a Kazakh laboratory."""
    return Record(
        model="examinations.case",
        level=level,
        origin_node=KZ.node_id,
        owner_country="KZ",
        group=GROUPS[group] if group else None,
        shareable=shareable,
    )
