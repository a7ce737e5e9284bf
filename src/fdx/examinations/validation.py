"""The rules a case, an exhibit, an examination and a finding must keep: one function per record, once.

The actions call them before every write (the web pages and the API reach them through the actions); bulk
writes (``fdx.examinations.bulk``) call them on each unsaved record of each row before anything is written.
Each returns ``{field: [message, …]}`` in the active language, empty when the record is sound; the
database's own constraints stay the last guard.
"""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models.expressions import DatabaseDefault
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from fdx.accounts.sharing import sharing_group_problem
from fdx.examinations.choices import LOCAL_REFERENCE_MAX_LENGTH, ResultType

Problems = dict[str, list[str]]


def require_valid(*problem_sets: Problems) -> None:
    """Raise one ``ValidationError`` holding every problem of ``problem_sets``, if there is any."""
    merged: Problems = {}
    for problems in problem_sets:
        for field, messages in problems.items():
            merged.setdefault(field, []).extend(messages)
    if merged:
        raise ValidationError(merged)


def field_problems(instance, exclude: list[str], *, in_bulk: bool = False) -> Problems:
    """What the model's own fields and constraints refuse (lengths, choices, ranges, uniqueness).

    ``in_bulk`` leaves out what costs a query per record — that a related row exists, unique constraints —
    because a bulk write holds the related rows already and checks uniqueness for all its rows at once;
    it is ``FieldCheck`` for one record (a bulk write keeps one ``FieldCheck`` per batch)."""
    if in_bulk:
        return FieldCheck(instance._meta.model, exclude).problems(instance)
    try:
        instance.full_clean(exclude=exclude)
    except ValidationError as exc:
        return {field: list(messages) for field, messages in exc.message_dict.items()}
    return {}


class FieldCheck:
    """``full_clean(exclude, validate_unique=False, validate_constraints=False)`` of many records of one
    model, relations left out (``field_problems(…, in_bulk=True)``): each field's ``clean`` (its type,
    length, choices and validators), then the model's own ``clean`` if it has one.

    A record is a model instance or any object with the fields' attributes (a bulk write's unsaved row).
    A field's ``clean`` reads only the value for the fields checked here (a relation's ``validate`` is the
    one that reads the record, and relations are left out), so a value seen before in the same field is
    not cleaned again: the remembered outcome (the cleaned value, or the messages) is the same. Keep one
    ``FieldCheck`` for a batch, not longer: the messages are in the language active when first made."""

    def __init__(self, model: type[models.Model], exclude=()):
        exclude = {*exclude, *(f.name for f in model._meta.concrete_fields if f.is_relation)}
        self.fields = [
            (field, field.attname, field.unique or field.primary_key, {})
            for field in model._meta.fields
            if field.name not in exclude and not field.generated
        ]
        self.model_clean = None if model.clean is models.Model.clean else model.clean

    def problems(self, record) -> Problems:
        found: Problems = {}
        for field, attname, unique, seen in self.fields:
            raw = getattr(record, attname)
            if unique:  # every value differs: nothing to remember
                outcome = _clean(field, raw, record)
            else:
                # Equal values that a field may treat differently stay apart: 1 and True (by type),
                # Decimal("1.0") and Decimal("1.00") (by their digits).
                by_type = seen.get(raw.__class__)
                if by_type is None:
                    by_type = seen[raw.__class__] = {}
                key = str(raw) if raw.__class__ is Decimal else raw
                try:
                    outcome = by_type[key]
                except KeyError:
                    outcome = by_type[key] = _clean(field, raw, record)
                except TypeError:  # an unhashable value
                    outcome = _clean(field, raw, record)
            if outcome is _NOT_CHECKED:
                continue
            cleaned, messages = outcome
            if messages:
                found[field.name] = list(messages)
            else:
                setattr(record, attname, cleaned)
        if self.model_clean is not None:
            try:
                self.model_clean(record)
            except ValidationError as exc:
                for name, messages in exc.update_error_dict({}).items():
                    found.setdefault(name, []).extend(ValidationError(messages).messages)
        return found


_NOT_CHECKED = object()


def _clean(field, raw, record):
    """The outcome of ``clean_fields`` for one field: (cleaned value, no messages), (the value, messages),
    or ``_NOT_CHECKED`` for an empty value of a field that may be blank (``clean_fields`` skips it)."""
    if (field.blank and raw in field.empty_values) or isinstance(raw, DatabaseDefault):
        return _NOT_CHECKED
    try:
        return field.clean(raw, record), ()
    except ValidationError as exc:
        return raw, tuple(exc.messages)


def case_problems(case, today: datetime.date | None = None) -> Problems:
    """A case's number (of a case opened here: ``LOCAL_REFERENCE_MAX_LENGTH``), seizure (date, place valid
    on that date, coordinates), sharing and submitting agency."""
    problems: Problems = {}
    today = today or timezone.localdate()
    if len(case.reference or "") > LOCAL_REFERENCE_MAX_LENGTH:
        message = ngettext(
            "A laboratory case number has at most %(limit)d character.",
            "A laboratory case number has at most %(limit)d characters.",
            LOCAL_REFERENCE_MAX_LENGTH,
        ) % {"limit": LOCAL_REFERENCE_MAX_LENGTH}
        _add(problems, "reference", message)
    if case.seizure_date and case.seizure_date > today:
        _add(problems, "seizure_date", _("The seizure date is in the future."))
    if case.seizure_region_id:
        region = case.seizure_region
        if region.country_id != case.seizure_country_id:
            _add(
                problems,
                "seizure_region",
                _("%(region)s is not in %(country)s.")
                % {"region": region.name, "country": case.seizure_country.name},
            )
        elif case.seizure_date and not region.is_valid_on(case.seizure_date):
            _add(problems, "seizure_region", region_validity_message(region, case.seizure_date))
    if case.border_crossing_point_id and case.border_crossing_point.country_id != case.seizure_country_id:
        _add(
            problems,
            "border_crossing_point",
            _("The border crossing point is not in the country of seizure."),
        )
    if (case.latitude is None) != (case.longitude is None):
        _add(
            problems,
            "longitude" if case.longitude is None else "latitude",
            _("Give both coordinates or neither."),
        )
    problem = sharing_group_problem(case.distribution_level, case.sharing_group, case.owner_organisation_id)
    if problem:
        _add(problems, "sharing_group", problem)
    if case.submitting_agency_id and not case.submitting_agency.is_active:
        _add(problems, "submitting_agency", _("The submitting agency is not active."))
    return problems


def seizure_after_examination_problems(case, first_examination_day: datetime.date | None) -> Problems:
    """A recorded case's seizure cannot move after the day an examination of it began."""
    if first_examination_day is None or not case.seizure_date or first_examination_day >= case.seizure_date:
        return {}
    message = _("An examination of this case began on %(day)s, before this seizure date.") % {
        "day": first_examination_day.isoformat()
    }
    return {"seizure_date": [message]}


def exhibit_problems(exhibit) -> Problems:
    """Masses and dimensions that cannot be (negative, net above gross), and the unit count."""
    problems: Problems = {}
    for field in ("gross_mass_g", "net_mass_g", "diameter_mm", "thickness_mm"):
        value = getattr(exhibit, field)
        if value is not None and value < 0:
            _add(problems, field, _("Must not be negative."))
    if (
        exhibit.gross_mass_g is not None
        and exhibit.net_mass_g is not None
        and exhibit.net_mass_g > exhibit.gross_mass_g
    ):
        _add(problems, "net_mass_g", _("The net mass is larger than the gross mass."))
    if exhibit.unit_count is not None and exhibit.unit_count < 1:
        _add(problems, "unit_count", _("At least one unit."))
    return problems


def label_problems(label: str, other_labels) -> Problems:
    """An exhibit's label is its case's own: no two exhibits of a case (tombstones aside) share one."""
    if label in set(other_labels):
        return {"label": [_("This case already has an exhibit with this number.")]}
    return {}


def examination_problems(
    examination, seizure_date: datetime.date | None, today: datetime.date | None = None
) -> Problems:
    """The examination's dates against the seizure and today, and its examiner against its laboratory."""
    problems: Problems = {}
    today = today or timezone.localdate()
    received, completed = examination.received_date, examination.completed_date
    if received and received > today:
        _add(problems, "received_date", _("The date received is in the future."))
    if received and seizure_date and received < seizure_date:
        _add(
            problems,
            "received_date",
            _("The exhibit was received before it was seized (%(day)s).") % {"day": seizure_date.isoformat()},
        )
    if completed and completed > today:
        _add(problems, "completed_date", _("The completion date is in the future."))
    if completed and received and completed < received:
        _add(problems, "completed_date", _("The examination was completed before it was received."))
    if completed and seizure_date and not received and completed < seizure_date:
        _add(
            problems,
            "completed_date",
            _("The examination was completed before the exhibit was seized (%(day)s).")
            % {"day": seizure_date.isoformat()},
        )
    if examination.examiner_id and examination.examiner.organisation_id != examination.laboratory_id:
        _add(problems, "examiner", _("The examiner does not work in this laboratory."))
    return problems


def finding_problems(finding) -> Problems:
    """A finding names a substance or describes an unidentified one, and has its content when quantitative."""
    problems: Problems = {}
    if finding.substance_id is None and not finding.unidentified_description.strip():
        _add(problems, "substance", _("Name the substance, or describe the unidentified one."))
    if finding.substance_id is not None and finding.unidentified_description.strip():
        _add(problems, "unidentified_description", _("Either a substance or a description, not both."))
    if finding.result_type == ResultType.QUANTITATIVE and finding.purity_percent is None:
        _add(problems, "purity_percent", _("A quantitative finding needs its content."))
    if finding.result_type == ResultType.QUALITATIVE and finding.purity_percent is not None:
        _add(problems, "purity_percent", _("A qualitative finding has no content; make it quantitative."))
    if finding.purity_percent is not None and not Decimal(0) <= Decimal(finding.purity_percent) <= Decimal(
        100
    ):
        problems["purity_percent"] = [_("The content must be between 0 and 100 %.")]
    return problems


def review_readiness_problems(examination, findings: list, has_methods: bool) -> Problems:
    """What is still missing before an examination can go to review (or be recorded as reviewed)."""
    problems: Problems = {}
    if examination.completed_date is None:
        _add(problems, "completed_date", _("Give the date the examination was completed."))
    if not has_methods:
        _add(problems, "methods", _("Name at least one analytical method."))
    if not findings and not examination.conclusion.strip():
        _add(problems, "findings", _("Record a finding, or a conclusion that nothing was found."))
    for finding in findings:
        if finding.result_type == ResultType.QUANTITATIVE and finding.purity_percent is None:
            message = _("The quantitative finding %(finding)s has no content.") % {"finding": finding}
            _add(problems, "findings", message)
    return problems


def four_eyes_problem(reviewer_id, *contributor_ids) -> str | None:
    """Four eyes: the reviewer is none of the people who examined, wrote or submitted the examination."""
    if reviewer_id in {person_id for person_id in contributor_ids if person_id is not None}:
        return _("Four eyes: the reviewer cannot be the examiner, the author or the submitter.")
    return None


def staff_problems(organisation, person, permission: str, field: str) -> Problems:
    """A person named on a record (examiner, reviewer) must work for the owning laboratory and hold the
    permission the role needs."""
    if person.organisation_id != organisation.pk:
        message = _("%(person)s is not staff of %(organisation)s.") % {
            "person": person.username,
            "organisation": organisation.code,
        }
        return {field: [message]}
    if not person.has_perm(permission):
        return {field: [_("%(person)s does not hold the role this needs.") % {"person": person.username}]}
    return {}


def region_validity_message(region, day: datetime.date) -> str:
    """Why ``region`` is not a place on ``day``, naming what was there before or after."""
    predecessors = ", ".join(p.name for p in region.predecessors.all())
    successors = ", ".join(s.name for s in region.successors.all())
    if region.valid_from and day < region.valid_from:
        message = _("%(region)s did not exist on %(day)s; it was formed on %(start)s.") % {
            "region": region.name,
            "day": day.isoformat(),
            "start": region.valid_from.isoformat(),
        }
        if predecessors:
            message += " " + _("Before that the place was in: %(regions)s.") % {"regions": predecessors}
        return message
    message = _("%(region)s no longer existed on %(day)s; it ended on %(end)s.") % {
        "region": region.name,
        "day": day.isoformat(),
        "end": region.valid_to.isoformat(),
    }
    if successors:
        message += " " + _("Its successors: %(regions)s.") % {"regions": successors}
    return message


def _add(problems: Problems, field: str, message: str) -> None:
    problems.setdefault(field, []).append(message)
