"""The sharing rules between nodes: a table of cases, and properties over every path."""

import itertools
from dataclasses import replace

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from fdx.exchange import rules
from fdx.exchange.pseudonymise import Treatment
from fdx.exchange.rules import Group, Level, Member, MemberKind, Node, NodeRole, Record, Refusal, decide
from fdx.exchange.tests.network import (
    AF,
    CARICC_MEMBER,
    GROUPS,
    HUB,
    KG,
    KZ,
    KZ_HEALTH,
    KZ_LAB,
    NODES,
    QUIET_HUB,
    REGION,
    UN,
    UNODC_MEMBER,
    UZ,
    UZ_POLICE,
    case,
)

ALLOWED = "allowed"
ORG, NAT, GRP, REG, INT = (
    Level.ORGANISATION,
    Level.NATIONAL,
    Level.SHARING_GROUP,
    Level.REGIONAL,
    Level.INTERNATIONAL,
)

# (level, sharing group, path from the origin to the sender, receiver) → allowed, or why not
TABLE = [
    (ORG, None, [KZ], HUB, Refusal.STAYS_ON_ORIGIN),
    (ORG, None, [KZ], KZ_HEALTH, Refusal.STAYS_ON_ORIGIN),
    (NAT, None, [KZ], KZ_HEALTH, Refusal.STAYS_ON_ORIGIN),
    (NAT, None, [KZ], UZ, Refusal.STAYS_ON_ORIGIN),
    (REG, None, [KZ], HUB, ALLOWED),
    (REG, None, [KZ], UZ, ALLOWED),
    (REG, None, [KZ, HUB], UZ, ALLOWED),
    (REG, None, [KZ, HUB], KG, ALLOWED),
    (REG, None, [KZ], KZ_HEALTH, ALLOWED),
    (REG, None, [KZ], UN, Refusal.RECEIVER_NOT_REACHED),
    (REG, None, [KZ, HUB], UN, Refusal.RECEIVER_NOT_REACHED),
    (REG, None, [KZ], AF, Refusal.RECEIVER_NOT_REACHED),
    (REG, None, [KZ, HUB], AF, Refusal.RECEIVER_NOT_REACHED),
    (REG, None, [KZ, UZ], KG, Refusal.RELAY_NOT_HUB),
    (REG, None, [KZ, QUIET_HUB], UZ, Refusal.RELAY_NOT_HUB),
    (REG, None, [KZ, HUB, UZ], KG, Refusal.TOO_MANY_HOPS),
    (REG, None, [KZ, HUB], KZ, Refusal.LOOP),
    (REG, None, [KZ], KZ, Refusal.LOOP),
    (REG, None, [UZ], KG, Refusal.NOT_FROM_ORIGIN),
    (REG, None, [HUB], UZ, Refusal.NOT_FROM_ORIGIN),
    (INT, None, [KZ], UN, ALLOWED),
    (INT, None, [KZ, HUB], UN, ALLOWED),
    (INT, None, [KZ, HUB], UZ, ALLOWED),
    (INT, None, [KZ], AF, Refusal.RECEIVER_NOT_REACHED),
    (INT, None, [KZ, UN], UZ, Refusal.RELAY_NOT_HUB),
    (GRP, "kz-uz", [KZ], UZ, ALLOWED),
    (GRP, "kz-uz", [KZ], KG, Refusal.RECEIVER_NOT_REACHED),
    (GRP, "kz-uz", [KZ], HUB, Refusal.RECEIVER_NOT_REACHED),
    (GRP, "kz-uz", [KZ, HUB], UZ, Refusal.RELAY_NOT_REACHED),
    (GRP, "kz-uz", [KZ], KZ_HEALTH, ALLOWED),  # a member is a Kazakh body: every Kazakh node hosts it
    (GRP, "with-hub", [KZ], HUB, ALLOWED),
    (GRP, "with-hub", [KZ, HUB], AF, ALLOWED),
    (GRP, "with-hub", [KZ], AF, ALLOWED),
    (GRP, "with-hub", [KZ, HUB], UZ, Refusal.RECEIVER_NOT_REACHED),
    (GRP, "with-hub", [KZ], UN, Refusal.RECEIVER_NOT_REACHED),
    (GRP, "with-unodc", [KZ], UN, ALLOWED),
    (GRP, "with-unodc", [KZ], HUB, Refusal.RECEIVER_NOT_REACHED),
    (GRP, "inactive", [KZ], UZ, Refusal.GROUP_INACTIVE),
    (GRP, None, [KZ], UZ, Refusal.GROUP_MISSING),
]


@pytest.mark.parametrize(
    ("level", "group", "path", "receiver", "expected"),
    TABLE,
    ids=[
        f"{row[0]}-{row[1]}-{'>'.join(n.node_id[5:] for n in row[2])}>{row[3].node_id[5:]}" for row in TABLE
    ],
)
def test_the_rules_table(level, group, path, receiver, expected):
    decision = decide(case(level, group), path, receiver, region=REGION)

    if expected == ALLOWED:
        assert decision.allowed
        assert decision.refusal is None
        assert decision.fields  # a copy that goes carries fields
    else:
        assert not decision.allowed
        assert decision.refusal == expected
        assert decision.fields == {}


# Which fields travel, by receiver (the treatments themselves are the table in ``pseudonymise``)
FIELD_TABLE = [
    # (path, receiver, shareable, agency case number, description, created_by)
    ([KZ], UZ, frozenset(), Treatment.HMAC, None, None),
    ([KZ], HUB, frozenset(), Treatment.HMAC, None, None),
    ([KZ], UZ, frozenset({"description"}), Treatment.HMAC, Treatment.KEEP, None),
    (
        [KZ],
        UZ,
        frozenset({"description", "agency_case_number", "created_by"}),
        Treatment.HMAC,
        Treatment.KEEP,
        None,
    ),
    ([KZ], KZ_HEALTH, frozenset(), Treatment.KEEP, Treatment.KEEP, None),
    ([KZ, HUB], KZ_HEALTH, frozenset(), Treatment.HMAC, None, None),  # it left the country on the way
]


@pytest.mark.parametrize(("path", "receiver", "shareable", "number", "description", "author"), FIELD_TABLE)
def test_which_fields_travel(path, receiver, shareable, number, description, author):
    decision = decide(case(Level.REGIONAL, shareable=shareable), path, receiver, region=REGION)

    assert decision.allowed
    assert decision.leaves_country == (number == Treatment.HMAC)
    assert decision.fields.get("agency_case_number") == number
    assert decision.fields.get("description") == description
    assert decision.fields.get("created_by") == author
    assert decision.fields["seizure_date"] == Treatment.KEEP


def test_the_levels_are_those_the_records_carry():
    from django.conf import settings as django_settings

    from fdx.accounts.choices import OrganisationType
    from fdx.core.distribution import DistributionLevel

    assert {level.value for level in Level} == set(DistributionLevel.values)
    assert set(rules.REACH) == set(Level)
    assert set(rules.SUPRANATIONAL_ORGANISATION_TYPES) == {
        OrganisationType.REGIONAL_CENTRE.value,
        OrganisationType.INTERNATIONAL.value,
    }
    assert NodeRole(django_settings.FDX_NODE_ROLE) == NodeRole.NATIONAL


# Properties over every path


def entitled(record: Record, nodes, region) -> set[str]:
    """The nodes the owner allowed, worked out from the levels' definitions (not from ``rules.reached``)."""
    allowed = {record.origin_node}
    hubs = {n.node_id for n in nodes if n.role == NodeRole.HUB}
    region_states = {n.node_id for n in nodes if n.role == NodeRole.NATIONAL and n.country in region}
    international = {n.node_id for n in nodes if n.role == NodeRole.INTERNATIONAL}
    if record.level == Level.REGIONAL:
        allowed |= hubs | region_states
    elif record.level == Level.INTERNATIONAL:
        allowed |= hubs | region_states | international
    elif record.level == Level.SHARING_GROUP and record.group is not None and record.group.active:
        for member in record.group.members:
            for n in nodes:
                if member.kind == MemberKind.STATE_BODY:
                    if n.role == NodeRole.NATIONAL and n.country == member.country:
                        allowed.add(n.node_id)
                elif member.organisation in n.organisations:
                    allowed.add(n.node_id)
    return allowed


def spread(record: Record, nodes, region, links, hops: int = 3) -> set[str]:
    """Every node a copy reaches when each holder passes it on along ``links`` wherever the rules allow,
    for ``hops`` rounds (one more than the rules' longest path)."""
    by_id = {n.node_id: n for n in nodes}
    paths = [[by_id[record.origin_node]]]
    holders = {record.origin_node}
    for _round in range(hops):
        next_paths = []
        for path in paths:
            for receiver_id in links.get(path[-1].node_id, ()):
                receiver = by_id[receiver_id]
                if decide(record, path, receiver, region=region):
                    holders.add(receiver_id)
                    next_paths.append([*path, receiver])
        paths = next_paths
    return holders


def full_mesh(nodes):
    return {a.node_id: [b.node_id for b in nodes if b is not a] for a in nodes}


def records():
    yield case(Level.ORGANISATION)
    yield case(Level.NATIONAL)
    yield case(Level.REGIONAL)
    yield case(Level.INTERNATIONAL)
    for name in GROUPS:
        yield case(Level.SHARING_GROUP, name)


@pytest.mark.parametrize("record", list(records()), ids=lambda r: f"{r.level}-{r.group and r.group.group_id}")
def test_every_path_of_up_to_three_hops_stays_within_the_level(record):
    nodes = list(NODES.values())
    allowed = entitled(record, nodes, REGION)
    origin = NODES[record.origin_node]
    for length in (1, 2, 3):
        for rest in itertools.product(nodes, repeat=length):
            path = [origin, *rest[:-1]]
            if decide(record, path, rest[-1], region=REGION):
                assert {n.node_id for n in (*path, rest[-1])} <= allowed, path
    # and, every node talking to every other, the copies reach exactly the nodes allowed
    assert spread(record, nodes, REGION, full_mesh(nodes)) == allowed


def test_a_star_around_the_hub_carries_a_regional_record_to_every_state():
    nodes = list(NODES.values())
    star = {n.node_id: [HUB.node_id] for n in nodes if n is not HUB}
    star[HUB.node_id] = [n.node_id for n in nodes if n is not HUB]

    reached = spread(case(Level.REGIONAL), nodes, REGION, star)

    assert reached == {KZ.node_id, HUB.node_id, QUIET_HUB.node_id, UZ.node_id, KG.node_id, KZ_HEALTH.node_id}


COUNTRIES = ["KZ", "UZ", "KG", "AF", "RU"]


@st.composite
def networks(draw):
    """Random nodes (roles, countries, hosted organisations, relaying) and a random record among them."""
    count = draw(st.integers(min_value=2, max_value=6))
    orgs = [f"org-{i}" for i in range(4)]
    nodes = []
    for i in range(count):
        role = draw(st.sampled_from(list(NodeRole)))
        nodes.append(
            Node(
                f"n{i}",
                role,
                draw(st.sampled_from(COUNTRIES)) if role == NodeRole.NATIONAL else "",
                frozenset(draw(st.sets(st.sampled_from(orgs)))) if role != NodeRole.NATIONAL else frozenset(),
                draw(st.booleans()),
            )
        )
    members = draw(
        st.frozensets(
            st.builds(
                Member, st.sampled_from(orgs), st.sampled_from(COUNTRIES), st.sampled_from(list(MemberKind))
            ),
            max_size=4,
        )
    )
    level = draw(st.sampled_from(list(Level)))
    group = draw(st.none() | st.just(Group("g", members, draw(st.booleans()))))
    origin = draw(st.sampled_from(nodes))
    record = Record("examinations.finding", level, origin.node_id, draw(st.sampled_from(COUNTRIES)), group)
    region = frozenset(draw(st.sets(st.sampled_from(COUNTRIES))))
    links = {
        n.node_id: draw(st.lists(st.sampled_from([m.node_id for m in nodes]), unique=True)) for n in nodes
    }
    return nodes, record, region, links


@settings(max_examples=300, deadline=None)
@given(networks())
def test_no_path_reaches_a_node_the_level_forbids(network):
    nodes, record, region, links = network

    reached = spread(record, nodes, region, links)

    assert reached <= entitled(record, nodes, region)


@settings(max_examples=200, deadline=None)
@given(networks())
def test_a_copy_that_leaves_the_country_never_carries_a_dropped_field(network):
    nodes, record, region, _links = network
    origin = next(n for n in nodes if n.node_id == record.origin_node)
    for receiver in nodes:
        decision = decide(record, [origin], receiver, region=region)
        if decision.allowed and decision.leaves_country:
            assert "note" not in decision.fields
            assert "unidentified_description" not in decision.fields
            assert decision.fields["substance"] == Treatment.KEEP


# Narrowing: when a relay is sent the origin's onward withdrawal


def _grouped(name: str | None, members=None, active=True) -> Record:
    if members is None:
        return case(Level.SHARING_GROUP, name)
    return Record(
        "examinations.case", Level.SHARING_GROUP, KZ.node_id, "KZ", Group("g", frozenset(members), active)
    )


@pytest.mark.parametrize(
    ("before", "after", "expected"),
    [
        (case(INT), case(REG), True),  # the international nodes lose it
        (case(INT), case(NAT), True),
        (case(REG), case(NAT), True),
        (case(REG), case(ORG), True),
        (case(REG), case(INT), False),  # widened
        (case(INT), case(INT), False),
        (case(NAT), case(ORG), False),  # reached nobody before
        (case(GRP, "kz-uz"), case(REG), False),  # both members' states are in the region
        (case(GRP, "with-hub"), case(REG), True),  # the Afghan member's node loses it
        (case(GRP, "with-hub"), case(INT), True),
        (case(GRP, "with-unodc"), case(INT), False),
        (case(GRP, "with-unodc"), case(REG), True),  # UNODC's node loses it
        (case(GRP, "kz-uz"), case(GRP, "inactive"), True),
        (case(GRP, "inactive"), case(GRP, "kz-uz"), False),
        (case(REG), case(GRP, "kz-uz"), True),  # the hub and Kyrgyzstan lose it
        (_grouped(None, {KZ_LAB, UZ_POLICE, CARICC_MEMBER}), _grouped(None, {KZ_LAB, CARICC_MEMBER}), True),
        (_grouped(None, {KZ_LAB, CARICC_MEMBER}), _grouped(None, {KZ_LAB, UZ_POLICE, CARICC_MEMBER}), False),
        (
            _grouped(None, {KZ_LAB, UNODC_MEMBER, CARICC_MEMBER}),
            _grouped(None, {KZ_LAB, CARICC_MEMBER}),
            True,
        ),
        (_grouped(None, {KZ_LAB, CARICC_MEMBER}), _grouped(None, {KZ_LAB}), True),  # the hub loses it
    ],
)
def test_a_narrowed_audience(before, after, expected):
    assert rules.narrowed(before, after, REGION) is expected
    lost = [
        n for n in NODES.values() if rules.reached(before, n, REGION) and not rules.reached(after, n, REGION)
    ]
    if not expected:
        assert lost == []


@settings(max_examples=300, deadline=None)
@given(networks(), networks())
def test_a_node_that_loses_a_record_is_never_missed(first, second):
    """Whatever the network, a node the record's new audience no longer reaches makes it narrowed."""
    nodes, before, region, _links = first
    after = replace(second[1], origin_node=before.origin_node)
    if any(rules.reached(before, n, region) and not rules.reached(after, n, region) for n in nodes):
        assert rules.narrowed(before, after, region)
