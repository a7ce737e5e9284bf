"""Sharing groups on a receiving node: the group of a sharing-group record, as its definition travels with
every record (signed by the record's origin).

The first record that names a group this node lacks creates it here, with the members this node knows
(an organisation by global id, else by code: the regional centre is recorded on each node under its own
id), and notes which node defined it (``ReceivedGroup``). Every later record from that node carries the
group as it is then: when its definition differs from the one held, the group here follows it — a member
added or removed on the origin reaches every node that holds the group's records (MISP #7315), and the
change is audited. A group this node created itself, or one first received from another node, is never
changed by a record: only the node that defined a group changes it.
"""

from __future__ import annotations

import uuid

from django.db.models import Q

from fdx.accounts.models import Organisation, SharingGroup
from fdx.audit.actions import record
from fdx.core.actors import system
from fdx.exchange import audit_events, messages
from fdx.exchange.models import ReceivedGroup


def received_group(change: messages.ChangeRecord) -> SharingGroup | None:
    """The sharing group ``change`` names, created from its definition or brought up to date with it (see
    the module); None when the change carries no definition."""
    definition = change.group
    if not definition:
        return None
    sha256 = messages.digest(definition)
    group = SharingGroup.objects.filter(global_id=definition["group_id"]).first()
    if group is None:
        group = _create(definition)
        ReceivedGroup.objects.create(group=group, origin_node=change.origin_node, definition_sha256=sha256)
        return group
    held = ReceivedGroup.objects.filter(group=group).first()
    if held is None or str(held.origin_node) != change.origin_node or held.definition_sha256 == sha256:
        return group
    _follow(group, definition)
    held.definition_sha256 = sha256
    held.save(update_fields=["definition_sha256", "updated_at"])
    return group


def _create(definition: dict) -> SharingGroup:
    code = str(definition.get("code") or definition["group_id"])[:50]
    if SharingGroup.objects.filter(code=code).exists():
        code = str(definition["group_id"])[:50]
    group = SharingGroup.objects.create(
        global_id=uuid.UUID(definition["group_id"]),
        code=code,
        name_en=str(definition.get("name_en") or code)[:250],
        name_ru=str(definition.get("name_ru") or "")[:250],
        is_active=bool(definition["active"]),
    )
    group.organisations.set(_members(definition))
    return group


def _follow(group: SharingGroup, definition: dict) -> None:
    """The group as its origin now defines it: active or not, its names, its members; audited."""
    before = _state(group)
    group.is_active = bool(definition["active"])
    group.name_en = str(definition.get("name_en") or group.name_en)[:250]
    group.name_ru = str(definition.get("name_ru") or group.name_ru)[:250]
    group.save(update_fields=["is_active", "name_en", "name_ru", "updated_at"])
    group.organisations.set(_members(definition))
    record(
        audit_events.GROUP_FOLLOWED,
        actor=system("exchange"),
        obj=group,
        before=before,
        after=_state(group),
    )


def _members(definition: dict) -> list[Organisation]:
    """The members this node knows: by global id, else by code."""
    ids = [str(m["organisation"]) for m in definition["members"]]
    codes = [str(m["code"]) for m in definition["members"] if m.get("code")]
    return list(Organisation.objects.filter(Q(global_id__in=ids) | Q(code__in=codes)))


def _state(group: SharingGroup) -> dict:
    return {
        "active": group.is_active,
        "members": sorted(group.organisations.values_list("code", flat=True)),
    }
