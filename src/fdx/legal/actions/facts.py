"""The other facts of a jurisdiction's framework — instruments, lists, incorporations, generic definitions
with their worked examples, thresholds — as the administration pages change them."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from rdkit import Chem

from fdx.audit import audit_events as admin_events
from fdx.audit.actions import audit_fields, changes, record, snapshot
from fdx.core.actors import is_system
from fdx.core.models import DistributedRecord, RecordState
from fdx.core.records import require_local, tombstone
from fdx.legal.actions.common import bump_version, may_maintain, require_maintainer
from fdx.legal.actions.reference_content import is_shipped
from fdx.legal.engine import generic
from fdx.legal.models import (
    ControlList,
    GenericDefinition,
    GenericExample,
    Instrument,
    Jurisdiction,
    ListIncorporation,
    QuantityThreshold,
)

# Instruments, lists, incorporations, generic definitions and thresholds (the administration pages)


def jurisdiction_of(fact) -> Jurisdiction:
    """The jurisdiction whose maintainers change ``fact``: an instrument, a list, an incorporation (its
    national list's), a generic definition (its list's) or a threshold."""
    if isinstance(fact, ListIncorporation):
        return fact.national_list.jurisdiction
    if isinstance(fact, GenericDefinition):
        return fact.control_list.jurisdiction
    if isinstance(fact, (Instrument, ControlList, QuantityThreshold)):
        return fact.jurisdiction
    raise TypeError(f"{type(fact).__name__} is not a fact of the legal framework")


def may_change_fact(actor, fact) -> bool:
    """Whether ``actor`` maintains the fact's jurisdiction and the fact is this node's own (a generic
    definition or threshold received from another node is changed only there)."""
    local = not isinstance(fact, DistributedRecord) or fact.is_local
    return local and may_maintain(actor, jurisdiction_of(fact))


def may_delete_fact(actor, fact) -> bool:
    """``may_change_fact``, and the fact is not of FDX's reference content (``is_shipped``)."""
    return may_change_fact(actor, fact) and not is_shipped(fact)


def check_generic_rule(kind: str | None, rule) -> None:
    """Refuse (``ValidationError``) a rule that does not compile: a bad SMARTS, SMILES or substituent kind is
    named here, not when the engine first meets it."""
    if not isinstance(rule, dict):
        raise ValidationError(_("The rule is a JSON object."))
    if kind != "analogue_similarity" and not ({"parents", "any_of"} & set(rule)):
        raise ValidationError(_("A structural rule needs 'parents' or 'any_of'."))
    try:
        generic.match(rule, Chem.MolFromSmiles("CCN"))
    except (generic.RuleError, KeyError, TypeError) as exc:
        raise ValidationError(str(exc)) from None


def check_generic_code(code: str, definition: GenericDefinition | None = None) -> None:
    """Refuse (``ValidationError``) the code of a deleted definition: its tombstone keeps it."""
    deleted = GenericDefinition.with_tombstones().filter(code=code, record_state=RecordState.DELETED)
    if definition is not None and definition.pk is not None:
        deleted = deleted.exclude(pk=definition.pk)
    if deleted.exists():
        raise ValidationError(_("A deleted generic definition had this code; choose another."))


@transaction.atomic
def save_legal_fact(actor, fact, *, reason: str = ""):
    """Create ``fact`` (an instrument, list, incorporation, generic definition or threshold), or store the
    changes made to it; audited (``admin.record.created``/``changed``: the fields, or the changed ones
    before and after) and the legal data version moved on. Nothing is written when nothing changed.

    A user's change marks the fact as the node's own (``maintained_locally``), so that a reload of the
    reference content leaves it; clearing the mark and changing nothing else hands it back to the shipped
    content. Refused (``PermissionDenied``) unless the actor maintains the jurisdiction the fact had and the
    one it gets, and for a record received from another node."""
    stored = _stored_fact(fact)
    if stored is not None:
        require_maintainer(actor, jurisdiction_of(stored))
    require_maintainer(actor, jurisdiction_of(fact))
    if isinstance(fact, QuantityThreshold) and fact.substance_id:
        # The engine matches a threshold by its substance's parent structure.
        fact.inchikey = (fact.substance.parent or fact.substance).inchikey
    fields = audit_fields(fact)
    before = snapshot(stored, fields) if stored is not None else {}
    edited = set(changes(before, snapshot(fact, fields))[1])
    if isinstance(stored, DistributedRecord):
        require_local(stored, edited)
    if stored is not None and not edited:
        return fact
    _validate_fact(fact)
    if edited - {"maintained_locally"} and hasattr(fact, "maintained_locally") and not is_system(actor):
        fact.maintained_locally = True
    fact.save()
    after = snapshot(fact, fields)
    if stored is None:
        record(admin_events.ADMIN_RECORD_CREATED, actor=actor, obj=fact, after=after, reason=reason)
    else:
        old, new = changes(before, after)
        record(admin_events.ADMIN_RECORD_CHANGED, actor=actor, obj=fact, before=old, after=new, reason=reason)
    bump_version()
    return fact


@transaction.atomic
def delete_legal_fact(actor, fact) -> None:
    """Delete an instrument, list or incorporation; make a generic definition or threshold a tombstone (gone
    for every reader, kept for the peers that hold a copy). Audited (``admin.record.deleted``, with its
    fields) and the legal data version moved on. Refused (``PermissionDenied``) for a fact of FDX's
    reference content, which is ended or corrected instead, and for a record received from another node."""
    if fact._state.adding:
        raise ValueError("an unsaved fact cannot be deleted")
    fact = _stored_fact(fact)
    require_maintainer(actor, jurisdiction_of(fact))
    if is_shipped(fact):
        raise PermissionDenied(_("A fact of FDX's reference content is ended or corrected, never deleted."))
    if isinstance(fact, DistributedRecord):
        require_local(fact)
    record(
        admin_events.ADMIN_RECORD_DELETED, actor=actor, obj=fact, before=snapshot(fact, audit_fields(fact))
    )
    if isinstance(fact, DistributedRecord):
        tombstone(fact)
    else:
        fact.delete()
    bump_version()


@transaction.atomic
def set_generic_examples(actor, definition: GenericDefinition, examples, *, reason: str = "") -> bool:
    """Make ``examples`` the definition's worked examples: ``GenericExample`` objects, its stored ones (as
    changed) and new ones; a stored example left out is deleted. Returns whether anything changed.

    The examples are part of the definition: a change is audited as a change of it (``admin.record.changed``,
    the examples before and after), moves its record version on and, made by a user, marks it as the node's
    own (``maintained_locally``)."""
    definition = GenericDefinition.objects.select_for_update().get(pk=definition.pk)
    require_maintainer(actor, definition.control_list.jurisdiction)
    require_local(definition)
    stored = {example.pk: example for example in definition.examples.all()}
    examples = list(examples)
    for example in examples:
        if example.pk is not None and example.pk not in stored:
            raise ValidationError(_("A worked example of another definition cannot be moved here."))
        example.definition = definition
        example.full_clean(exclude=["definition"])
    before, after = _example_rows(stored.values()), _example_rows(examples)
    if before == after:
        return False
    GenericExample.objects.filter(pk__in=set(stored) - {example.pk for example in examples}).delete()
    for example in examples:
        if example.pk is None or _example_row(example) != _example_row(stored[example.pk]):
            example.save()
    old, new = {"examples": before}, {"examples": after}
    if not is_system(actor) and not definition.maintained_locally:
        definition.maintained_locally = True
        old["maintained_locally"], new["maintained_locally"] = False, True
    definition.save(update_fields=["maintained_locally", "updated_at"])  # its version moves on
    record(
        admin_events.ADMIN_RECORD_CHANGED, actor=actor, obj=definition, before=old, after=new, reason=reason
    )
    bump_version()
    return True


def _stored_fact(fact):
    """The fact as stored (locked), None when it is new; a tombstone is not changed."""
    if fact._state.adding:
        return None
    stored = type(fact)._base_manager.select_for_update().get(pk=fact.pk)
    if getattr(stored, "is_tombstone", False):
        raise ValidationError(_("This record was deleted; it cannot be changed."))
    return stored


def _validate_fact(fact) -> None:
    fact.full_clean()
    if isinstance(fact, GenericDefinition):
        try:
            check_generic_rule(fact.kind, fact.rule)
        except ValidationError as exc:
            raise ValidationError({"rule": exc.messages}) from None
        try:
            check_generic_code(fact.code, fact)
        except ValidationError as exc:
            raise ValidationError({"code": exc.messages}) from None


def _example_row(example: GenericExample) -> list:
    return [example.name, example.smiles, example.must_match, example.note]


def _example_rows(examples) -> list[list]:
    return sorted(_example_row(example) for example in examples)
