"""Every change to the spectral libraries: create and describe a library, import a file of spectra, link a
spectrum to a substance, withdraw one, and record a library-search identification as a finding.

An import is all or nothing: a file with a bad record writes nothing unless the caller asks to skip bad
records, and then each one is reported. The search index is brought up to date after the commit.
"""

from __future__ import annotations

import csv
import hashlib
from dataclasses import dataclass, field
from pathlib import Path

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from fdx.accounts.sharing import sharing_group_problem
from fdx.audit.actions import changes, record, snapshot
from fdx.core.actors import is_system, require_permission
from fdx.core.distribution import DistributionLevel
from fdx.core.events import emit
from fdx.core.records import mark_retracted, require_local
from fdx.spectra import audit_events, events, formats
from fdx.spectra.choices import SpectrumKind, SubstanceLink
from fdx.spectra.linking import Linker
from fdx.spectra.models import SpectralLibrary, Spectrum, peak_bytes
from fdx.spectra.science.peaks import PeakError, nominal
from fdx.substances.models import Substance

MANAGE = "spectra.manage_spectral_libraries"
BULK = 1000


@dataclass
class LibraryInput:
    """What a caller gives to create or describe a library."""

    name: str
    version: str = ""
    source: str = ""
    licence: str = ""
    description: str = ""
    distribution_level: str = DistributionLevel.ORGANISATION
    sharing_group: object | None = None
    kind: str = SpectrumKind.EI_MS


@transaction.atomic
def create_library(actor, data: LibraryInput, *, organisation=None) -> SpectralLibrary:
    """A new, empty library of the actor's organisation (the system names the organisation)."""
    require_permission(actor, MANAGE)
    owner = organisation if is_system(actor) else actor.organisation
    if owner is None:
        raise ValidationError({"organisation": _("Name the organisation that owns the library.")})
    library = SpectralLibrary(
        owner_organisation=owner, created_by=None if is_system(actor) else actor, kind=data.kind
    )
    _describe(library, data)
    _refuse_duplicate_name(library)
    library.save()
    record(
        audit_events.LIBRARY_CREATED,
        actor=actor,
        organisation=owner,
        obj=library,
        after=snapshot(library, SpectralLibrary.audit_fields),
    )
    emit(events.LIBRARY_CHANGED, obj=library, organisation=owner, actor=actor)
    return library


@transaction.atomic
def update_library(
    actor, library: SpectralLibrary, data: LibraryInput, *, reason: str = ""
) -> SpectralLibrary:
    """Change a library's description, licence or sharing."""
    library = _lock_library(actor, library)
    before = snapshot(library, SpectralLibrary.audit_fields)
    _describe(library, data)
    _refuse_duplicate_name(library)
    old, new = changes(before, snapshot(library, SpectralLibrary.audit_fields))
    if new:  # a change that changes nothing saves nothing: the record's version stays
        library.save()
        record(audit_events.LIBRARY_CHANGED, actor=actor, obj=library, before=old, after=new, reason=reason)
        emit(events.LIBRARY_CHANGED, obj=library, organisation=library.owner_organisation_id, actor=actor)
    return library


def _refuse_duplicate_name(library: SpectralLibrary) -> None:
    others = SpectralLibrary.objects.filter(
        owner_organisation=library.owner_organisation_id, name=library.name, version=library.version
    ).exclude(pk=library.pk)
    if others.exists():
        message = _("Your organisation already has a library of this name and version.")
        raise ValidationError({"name": message})


def _describe(library: SpectralLibrary, data: LibraryInput) -> None:
    library.name, library.version = data.name.strip(), data.version.strip()
    library.source, library.licence = data.source.strip(), data.licence.strip()
    library.description = data.description.strip()
    library.distribution_level, library.sharing_group = data.distribution_level, data.sharing_group
    errors = {}
    if not library.name:
        errors["name"] = _("A library needs a name.")
    problem = sharing_group_problem(
        library.distribution_level, library.sharing_group, library.owner_organisation_id
    )
    if problem:
        errors["sharing_group"] = problem
    if errors:
        raise ValidationError(errors)
    library.full_clean(exclude=["owner_organisation", "created_by"])


def _lock_library(actor, library: SpectralLibrary) -> SpectralLibrary:
    """The library, locked, if ``actor`` may change it; ``PermissionDenied`` otherwise."""
    require_permission(actor, MANAGE)
    rows = SpectralLibrary.objects.select_for_update()
    if not is_system(actor):
        rows = rows.restrict(actor, "change")
    locked = rows.filter(pk=library.pk).first()
    if locked is None:
        raise PermissionDenied(_("Only the owning organisation's library managers change this library."))
    require_local(locked)
    return locked


# Importing


class ImportRefused(ValidationError):
    """A file with bad records, imported with nothing written; ``problems`` names each record."""

    def __init__(self, problems: list[str]):
        self.problems = problems
        super().__init__(problems)


@dataclass
class ImportReport:
    library: str
    file: str
    sha256: str
    read: int = 0
    imported: int = 0
    already_present: int = 0
    skipped: list[str] = field(default_factory=list)
    links: dict[str, int] = field(default_factory=dict)
    substances_registered: dict[str, int] = field(default_factory=dict)
    #: every spectrum linked by its name alone (the record gave no structure): record, name, substance
    linked_by_name: list[dict] = field(default_factory=list)

    @property
    def linked_percent(self) -> float:
        linked = sum(n for kind, n in self.links.items() if kind != SubstanceLink.NONE)
        return round(100 * linked / self.imported, 1) if self.imported else 0.0

    def as_dict(self) -> dict:
        return {
            "library": self.library,
            "file": self.file,
            "sha256": self.sha256,
            "read": self.read,
            "imported": self.imported,
            "already_present": self.already_present,
            "skipped": self.skipped,
            "links": self.links,
            "linked_percent": self.linked_percent,
            "substances_registered": self.substances_registered,
            "linked_by_name": self.linked_by_name,
        }


@transaction.atomic
def import_spectra(
    actor,
    library: SpectralLibrary,
    path: Path,
    *,
    fmt: str | None = None,
    skip_bad: bool = False,
    identifiers: Path | None = None,
    file_name: str = "",
) -> ImportReport:
    """Read a spectrum file into ``library``, linking each spectrum to a registry substance.

    ``identifiers`` is an optional table (TSV or CSV) keyed by the records' identifiers that adds what the
    file lacks (InChIKey, SMILES, CAS number: the SWGDRUG MSP export, for one, carries no structures). A
    spectrum already in the library (same record identifier and peaks) is not imported twice."""
    library = _lock_library(actor, library)
    file_name = file_name or path.name
    report = ImportReport(str(library), file_name, _file_sha256(path))
    parsed = _read(path, fmt, skip_bad, file_name)
    report.read = len(parsed.spectra) + len(parsed.errors)
    report.skipped = [str(error) for error in parsed.errors]
    extra = _identifiers(identifiers) if identifiers else {}
    present = set(library.spectra.values_list("record_id", "peaks_sha256"))
    linker = Linker.load(actor, str(library))
    rows: list[Spectrum] = []
    for item in parsed.spectra:
        spectrum = _spectrum(actor, library, item, extra, file_name)
        if (spectrum.record_id, spectrum.peaks_sha256) in present:
            report.already_present += 1
            continue
        present.add((spectrum.record_id, spectrum.peaks_sha256))
        spectrum.substance_id, spectrum.substance_link = linker.link(
            item.name or "",  # a record without a name is linked by its identifiers only
            item.metadata | extra.get(spectrum.record_id, {}),
            spectrum.record_id or str(item.record),
        )
        report.links[spectrum.substance_link] = report.links.get(spectrum.substance_link, 0) + 1
        rows.append(spectrum)
    Spectrum.objects.bulk_create(rows, batch_size=BULK)
    report.imported = len(rows)
    report.linked_by_name = _linked_by_name(rows)
    report.substances_registered = dict(linker.created)
    record(
        audit_events.SPECTRA_IMPORTED,
        actor=actor,
        obj=library,
        after={k: v for k, v in report.as_dict().items() if k != "skipped"}
        | {"skipped": len(report.skipped)},
    )
    emit(
        events.SPECTRA_IMPORTED,
        obj=library,
        organisation=library.owner_organisation_id,
        actor=actor,
        imported=report.imported,
    )
    return report


def _linked_by_name(rows: list[Spectrum]) -> list[dict]:
    """The spectra linked by name alone, for the import's summary: a chemist checks each of these."""
    by_name = [row for row in rows if row.substance_link == SubstanceLink.NAME]
    names = dict(
        Substance.objects.filter(pk__in={row.substance_id for row in by_name}).values_list("pk", "name_en")
    )
    return [
        {"record": row.record_id, "name": row.name, "substance": names.get(row.substance_id, "")}
        for row in by_name
    ]


def _read(path: Path, fmt: str | None, skip_bad: bool, file_name: str) -> formats.ReadResult:
    try:
        parsed = formats.read_spectra(path, fmt, skip_bad=skip_bad)
    except formats.FormatError as exc:
        exc.path = file_name  # the name the user gave, not the temporary copy's
        raise ImportRefused([str(exc)]) from None
    for error in parsed.errors:
        error.path = file_name
    good, bad = [], list(parsed.errors)
    for item in parsed.spectra:
        try:
            nominal(item.mz, item.intensity)
        except PeakError as exc:
            error = formats.FormatError(
                file_name, str(exc), record=item.record, line=item.line, field="peaks"
            )
            if not skip_bad:
                raise ImportRefused([str(error)]) from None
            bad.append(error)
            continue
        good.append(item)
    return formats.ReadResult(good, bad)


def _spectrum(actor, library, item, extra: dict, file_name: str) -> Spectrum:
    metadata = dict(item.metadata)
    record_id = str(metadata.get("record_id") or "")[:100]
    metadata.update(extra.get(record_id, {}))
    mz_bytes, intensity_bytes, digest = peak_bytes(item.mz, item.intensity)
    return Spectrum(
        library=library,
        kind=library.kind,
        name=(item.name or record_id or f"record {item.record}")[:500],
        record_id=record_id,
        inchikey=str(metadata.get("inchikey") or "").strip().upper()[:27],
        formula=str(metadata.get("formula") or "")[:100],
        cas_number=str(metadata.get("cas") or "")[:20],
        retention_index=_number(metadata.get("retention_index")),
        retention_time_s=_number(metadata.get("retention_time_s")),
        precursor_mz=_number(metadata.get("precursor_mz")),
        instrument=str(metadata.get("instrument") or "")[:200],
        instrument_type=str(metadata.get("instrument_type") or "")[:100],
        ionisation_energy_ev=_number(metadata.get("ionisation_energy_ev")),
        comment=str(metadata.get("comment") or ""),
        metadata=_json_metadata(metadata),
        peak_count=len(item.mz),
        mz_values=mz_bytes,
        intensities=intensity_bytes,
        peaks_sha256=digest,
        source_file=file_name[:300],
        source_line=item.line or None,
        created_by=None if is_system(actor) else actor,
    )


def _number(value) -> float | None:
    try:
        return None if value in (None, "") else float(value)
    except (TypeError, ValueError):
        return None


def _json_metadata(metadata: dict) -> dict:
    kept = {}
    for key, value in metadata.items():
        if isinstance(value, (str, int, float, bool)) or value is None:
            kept[key] = value
        elif isinstance(value, (list, tuple)):
            kept[key] = [str(v) for v in value]
        elif isinstance(value, dict):
            kept[key] = {str(k): str(v) for k, v in value.items()}
        else:
            kept[key] = str(value)
    return kept


def _identifiers(path: Path) -> dict[str, dict]:
    """A table of identifiers keyed by record: its first column holds the record identifier; the columns
    named inchikey, smiles, inchi and cas (any case; ``casno`` too) are taken."""
    from fdx.spectra.formats.base import read_text

    lines = read_text(path).splitlines()
    wanted = {"inchikey": "inchikey", "smiles": "smiles", "inchi": "inchi", "cas": "cas", "casno": "cas"}
    if not lines or not lines[0].strip():
        raise ImportRefused(
            [
                _("%(file)s, line 1: the table is empty; its first line names the columns")
                % {"file": path.name}
            ]
        )
    dialect = "excel-tab" if "\t" in lines[0] else "excel"
    reader = csv.reader(lines, dialect)
    header = [h.strip().lower() for h in next(reader)]
    if not set(header) & set(wanted):
        message = _("%(file)s, line 1: no column is named inchikey, smiles, inchi or cas") % {
            "file": path.name
        }
        raise ImportRefused([message])
    table = {}
    for row in reader:
        if not row:
            continue
        values = {
            wanted[h]: v.strip() for h, v in zip(header, row, strict=False) if h in wanted and v.strip()
        }
        if values.get("cas", "").isdigit():
            digits = values["cas"]
            values["cas"] = f"{digits[:-3]}-{digits[-3:-1]}-{digits[-1]}"
        table[row[0].strip()] = values
    return table


def _file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as stream:
        for chunk in iter(lambda: stream.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


# Curating


@transaction.atomic
def link_spectrum(actor, spectrum: Spectrum, substance, *, reason: str) -> Spectrum:
    """Link a spectrum to another registry substance (a library's mislabelled record, a new structure)."""
    if not reason.strip():
        raise ValidationError({"reason": _("Say why the spectrum is linked to another substance.")})
    spectrum = _lock_spectrum(actor, spectrum, {"substance", "substance_link"})
    before = snapshot(spectrum, Spectrum.audit_fields)
    spectrum.substance, spectrum.substance_link = substance, SubstanceLink.MANUAL
    spectrum.save(update_fields=["substance", "substance_link", "updated_at"])
    old, new = changes(before, snapshot(spectrum, Spectrum.audit_fields))
    record(audit_events.SPECTRUM_LINKED, actor=actor, obj=spectrum, before=old, after=new, reason=reason)
    emit(events.SPECTRUM_LINKED, obj=spectrum, actor=actor, library=str(spectrum.library.global_id))
    return spectrum


@transaction.atomic
def withdraw_spectrum(actor, spectrum: Spectrum, *, reason: str) -> Spectrum:
    """Take a spectrum out of every search, keeping it (and what it said) on record."""
    if not reason.strip():
        raise ValidationError({"reason": _("Say why the spectrum is withdrawn.")})
    spectrum = _lock_spectrum(actor, spectrum)
    if spectrum.withdrawn_at is not None:
        raise ValidationError({"reason": _("This spectrum is already withdrawn.")})
    spectrum.withdrawn_at, spectrum.withdrawal_reason = timezone.now(), reason.strip()
    mark_retracted(spectrum)
    spectrum.save(
        update_fields=[
            "withdrawn_at",
            "withdrawal_reason",
            "record_state",
            "record_state_changed_at",
            "updated_at",
        ]
    )
    record(
        audit_events.SPECTRUM_WITHDRAWN,
        actor=actor,
        obj=spectrum,
        after={"withdrawn_at": spectrum.withdrawn_at},
        reason=reason,
    )
    emit(events.SPECTRUM_WITHDRAWN, obj=spectrum, actor=actor, library=str(spectrum.library.global_id))
    return spectrum


def _lock_spectrum(actor, spectrum: Spectrum, changed: set[str] | None = None) -> Spectrum:
    """The spectrum, locked, if ``actor`` may change it (``changed``: the fields about to change, which
    decides whether a received spectrum's local annotation may be changed here)."""
    require_permission(actor, MANAGE)
    rows = Spectrum.objects.select_for_update()
    if not is_system(actor):
        rows = rows.restrict(actor, "change")
    locked = rows.filter(pk=spectrum.pk).first()
    if locked is None:
        raise PermissionDenied(_("Only the owning organisation's library managers change its spectra."))
    require_local(locked, changed)
    return locked
