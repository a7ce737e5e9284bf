"""How each field of a shared record travels when the record leaves its country (Django-free).

``TABLE`` is the rule, as data: for every model that may leave a node, each field is

``keep``
    sent as it is;
``hmac``
    replaced by a keyed hash (HMAC-SHA256 under the node's secret): the same value gives the same hash on
    this node, so a receiver can see that two records share an agency's case number, but the hash reveals
    nothing of the number to anyone without the secret;
``drop``
    never sent, not even inside the country (references to this node's user accounts, which mean nothing
    elsewhere and name people; this node's own derived search text);
``drop_unless_shareable``
    personal and free-text fields, sent only when the record's owner marked the field shareable.

A field that is not in the table is not sent at all (a new field stays home until someone decides). The
record's identity, version, state and origin travel in the message's envelope (``ENVELOPE_FIELDS``), not in
the payload. Inside the owner's country every field of the table but the ``drop`` ones travels as it is.
"""

from __future__ import annotations

import enum
import hashlib
import hmac
import unicodedata
from collections.abc import Mapping

#: Shortest secret accepted: case numbers are guessable, so the secret is what keeps the hash closed.
MIN_SECRET_BYTES = 32


class Treatment(enum.StrEnum):
    """How one field travels when its record leaves the country (the values of ``TABLE``)."""

    KEEP = "keep"
    HMAC = "hmac"
    DROP = "drop"
    DROP_UNLESS_SHAREABLE = "drop_unless_shareable"


KEEP = Treatment.KEEP
HMAC = Treatment.HMAC
DROP = Treatment.DROP
UNLESS_SHAREABLE = Treatment.DROP_UNLESS_SHAREABLE

#: Carried by the message itself (``fdx.exchange.messages``), never in a payload; local bookkeeping
#: (the integer key, local times) is not sent at all.
ENVELOPE_FIELDS = frozenset(
    {"id", "global_id", "origin_node", "record_version", "record_state", "record_state_changed_at"}
)
#: Not sent: this node's own bookkeeping (the receiver keeps its own times).
LOCAL_FIELDS = frozenset({"created_at", "updated_at"})

TABLE: Mapping[str, Mapping[str, Treatment]] = {
    "examinations.case": {
        "shareable_fields": DROP,  # this node's own decision of what leaves; it means nothing elsewhere
        "owner_organisation": KEEP,
        "reference": HMAC,  # the laboratory's case number
        "submitting_agency": UNLESS_SHAREABLE,
        "agency_case_number": HMAC,
        "seizure_date": KEEP,
        "seizure_country": KEEP,
        "seizure_region": KEEP,
        "locality": UNLESS_SHAREABLE,
        "border_crossing_point": KEEP,
        "latitude": UNLESS_SHAREABLE,  # exact coordinates may be a home
        "longitude": UNLESS_SHAREABLE,
        "seizure_context": KEEP,
        "description": UNLESS_SHAREABLE,
        "distribution_level": KEEP,
        "sharing_group": KEEP,
        "is_demo": KEEP,
        "has_shared_result": KEEP,
        "search_text": DROP,  # this node's search index (numbers, places, descriptions); each builds its own
        "retracted_at": KEEP,
        "retraction_reason": UNLESS_SHAREABLE,
        "created_by": DROP,
    },
    "examinations.exhibit": {
        "shareable_fields": DROP,  # this node's own decision of what leaves; it means nothing elsewhere
        "case": KEEP,
        "label": KEEP,
        "form": KEEP,
        "colour": KEEP,
        "logo": KEEP,
        "diameter_mm": KEEP,
        "thickness_mm": KEEP,
        "unit_count": KEEP,
        "gross_mass_g": KEEP,
        "net_mass_g": KEEP,
        "packaging": UNLESS_SHAREABLE,
        "description": UNLESS_SHAREABLE,
        "created_by": DROP,
    },
    "examinations.examination": {
        "shareable_fields": DROP,  # this node's own decision of what leaves; it means nothing elsewhere
        "exhibit": KEEP,
        "laboratory": KEEP,
        "request_number": HMAC,  # the requesting agency's number
        "received_date": KEEP,
        "completed_date": KEEP,
        "examiner": DROP,
        "methods": KEEP,
        "conclusion": UNLESS_SHAREABLE,
        "status": KEEP,
        "revision": KEEP,
        "previous_revision": KEEP,
        "revision_reason": UNLESS_SHAREABLE,
        "created_by": DROP,
        "submitted_at": KEEP,
        "submitted_by": DROP,
        "approved_at": KEEP,
        "approved_by": DROP,
        "retracted_at": KEEP,
        "retracted_by": DROP,
        "retraction_reason": UNLESS_SHAREABLE,
    },
    "examinations.finding": {
        "shareable_fields": DROP,  # this node's own decision of what leaves; it means nothing elsewhere
        "examination": KEEP,
        "substance": KEEP,
        "unidentified_description": UNLESS_SHAREABLE,
        "result_type": KEEP,
        "role": KEEP,
        "purity_percent": KEEP,
        "purity_uncertainty_percent": KEEP,
        "amount_g": KEEP,
        "base_equivalent_g": KEEP,
        "note": UNLESS_SHAREABLE,
        "position": KEEP,
    },
    "examinations.attachment": {
        "shareable_fields": DROP,  # this node's own decision of what leaves; it means nothing elsewhere
        "case": KEEP,
        "exhibit": KEEP,
        "examination": KEEP,
        "kind": KEEP,
        "original_name": UNLESS_SHAREABLE,  # file names often carry names and numbers
        "content_type": KEEP,
        "size_bytes": KEEP,
        "sha256": KEEP,
        "description": UNLESS_SHAREABLE,
        "uploaded_by": DROP,
    },
    # Reference data (``fdx.exchange.publications``): published on purpose, so nothing is hashed; what is
    # derived (identifiers, fingerprints, classes, names' search forms) each node computes for itself.
    "substances.substance": {
        "key": KEEP,
        "name_en": KEEP,
        "name_ru": KEEP,
        "cas_number": KEEP,
        "smiles": KEEP,
        "inchikey": KEEP,
        "parent": KEEP,
        "base_conversion_factor": KEEP,
        "note": KEEP,
        "source": DROP,  # the receiver records it as received from another node
        "created_by": DROP,
        # Derived from the structure by each node (its own RDKit, its own class rules).
        "inchi": DROP,
        "skeleton": DROP,
        "formula": DROP,
        "average_mass": DROP,
        "monoisotopic_mass": DROP,
        "search_smiles": DROP,
        "morgan_fingerprint": DROP,
        "pattern_fingerprint": DROP,
        "classes": DROP,
    },
    "spectra.spectrallibrary": {
        "owner_organisation": KEEP,
        "name": KEEP,
        "version": KEEP,
        "source": KEEP,
        "licence": KEEP,
        "description": KEEP,
        "kind": KEEP,
        "distribution_level": KEEP,
        "sharing_group": KEEP,
        "created_by": DROP,
    },
    "spectra.spectrum": {
        "library": KEEP,
        "kind": KEEP,
        "name": KEEP,
        "record_id": KEEP,
        "substance": DROP,  # each node links a spectrum to its own registry (a local annotation)
        "substance_link": DROP,
        "inchikey": KEEP,
        "formula": KEEP,
        "cas_number": KEEP,
        "retention_index": KEEP,
        "retention_time_s": KEEP,
        "precursor_mz": KEEP,
        "instrument": KEEP,
        "instrument_type": KEEP,
        "ionisation_energy_ev": KEEP,
        "comment": KEEP,
        "metadata": KEEP,
        "peak_count": KEEP,
        "mz_values": KEEP,  # float64 bytes, as base64
        "intensities": KEEP,
        "peaks_sha256": KEEP,  # checked by the receiver against the peaks
        "source_file": KEEP,
        "source_line": KEEP,
        "withdrawn_at": KEEP,
        "withdrawal_reason": KEEP,
        "created_by": DROP,
    },
    # A jurisdiction's control lists, as its own node maintains them (a list and an instrument travel as
    # their codes with their descriptions; ``fdx.exchange.dossier.reference``).
    "legal.listing": {
        "control_list": KEEP,
        "name_en": KEEP,
        "name_ru": KEEP,
        "substance": KEEP,
        "smiles": KEEP,
        "inchikey": KEEP,
        "skeleton": KEEP,
        "is_exclusion": KEEP,
        "stereo_scope": KEEP,
        "decision": KEEP,
        "decision_date": KEEP,
        "effective_from": KEEP,
        "effective_from_earliest": KEEP,
        "effective_to": KEEP,
        "instrument": KEEP,
        "note": KEEP,
        "source_url": KEEP,
        "verified": KEEP,
        "recorded_to": KEEP,
        "corrects": KEEP,
        "change_reason": KEEP,
        "reference_key": KEEP,
        "recorded_by": DROP,
        "maintained_locally": DROP,  # this node's own bookkeeping of its reference content
    },
    "legal.genericdefinition": {
        "code": KEEP,
        "control_list": KEEP,
        "name_en": KEEP,
        "name_ru": KEEP,
        "kind": KEEP,
        "rule": KEEP,
        "legal_text": KEEP,
        "effective_from": KEEP,
        "effective_to": KEEP,
        "instrument": KEEP,
        "source_url": KEEP,
        "verified": KEEP,
        "maintained_locally": DROP,
    },
    "legal.quantitythreshold": {
        "jurisdiction": KEEP,
        "entry_name": KEEP,
        "substance": KEEP,
        "inchikey": KEEP,
        "reference_key": KEEP,
        "includes_derivatives": KEEP,
        "small_max_g": KEEP,
        "significant_min_g": KEEP,
        "large_min_g": KEEP,
        "especially_large_min_g": KEEP,
        "comparison": KEEP,
        "basis": KEEP,
        "effective_from": KEEP,
        "effective_to": KEEP,
        "instrument": KEEP,
        "source_url": KEEP,
        "verified": KEEP,
        "note": KEEP,
        "maintained_locally": DROP,
    },
}


class UnknownModelError(KeyError):
    """A model that has no row in the table, and so may not leave the node at all."""


def rules_for(model: str) -> Mapping[str, Treatment]:
    """The table's row for ``model``.

    Parameters
    ----------
    model
        The model's label (``examinations.case``).

    Returns
    -------
    Mapping of str to Treatment
        Each field of the model and how it travels; ``UnknownModelError`` when the model has no row.
    """
    try:
        return TABLE[model]
    except KeyError:
        raise UnknownModelError(model) from None


def travelling_fields(model: str, *, leaves_country: bool, shareable: frozenset[str]) -> dict[str, Treatment]:
    """Each field of ``model`` that travels, with how (``keep`` or ``hmac``).

    Parameters
    ----------
    model
        The model's label.
    leaves_country
        Whether the copy leaves the owner's country; if not, every field of the table but the ``drop`` ones
        is kept.
    shareable
        The fields the owner marked shareable; only ``drop_unless_shareable`` fields are affected.

    Returns
    -------
    dict of str to Treatment
        Each field that travels, with ``keep`` or ``hmac``.
    """
    rules = rules_for(model)
    if not leaves_country:
        return {name: KEEP for name, treatment in rules.items() if treatment != DROP}
    travelling = {}
    for name, treatment in rules.items():
        if treatment == UNLESS_SHAREABLE:
            if name in shareable:
                travelling[name] = KEEP
        elif treatment != DROP:
            travelling[name] = treatment
    return travelling


def normalise(value: str) -> str:
    """The form of a number that is hashed.

    Parameters
    ----------
    value
        The number as written.

    Returns
    -------
    str
        Unicode NFKC, spaces collapsed, case folded: ``KZ-12 `` and ``kz-12`` are the same number.
    """
    return " ".join(unicodedata.normalize("NFKC", value).split()).casefold()


def keyed_hash(secret: bytes, purpose: str, value: str) -> str:
    """HMAC-SHA256 of the normalised ``value`` under ``secret``, in hexadecimal.

    Parameters
    ----------
    secret
        The node's pseudonymisation secret (at least ``MIN_SECRET_BYTES``).
    purpose
        What the value is (``examinations.case.agency_case_number``): the same text in two different fields
        gives two different hashes.
    value
        The text to hide.

    Returns
    -------
    str
        64 hexadecimal digits.
    """
    if len(secret) < MIN_SECRET_BYTES:
        raise ValueError(f"the pseudonymisation secret must be at least {MIN_SECRET_BYTES} bytes")
    message = purpose.encode("utf-8") + b"\x00" + normalise(value).encode("utf-8")
    return hmac.new(secret, message, hashlib.sha256).hexdigest()


def pseudonymise(
    model: str,
    values: Mapping[str, object],
    *,
    secret: bytes,
    leaves_country: bool,
    shareable: frozenset[str] = frozenset(),
) -> dict[str, object]:
    """The payload that travels: ``values`` reduced to the travelling fields, hashed where the table says.

    Parameters
    ----------
    model
        The model's label.
    values
        The record's field values, ready for JSON.
    secret
        The node's pseudonymisation secret.
    leaves_country
        Whether the copy leaves the owner's country (``rules.Decision.leaves_country``).
    shareable
        The fields the owner marked shareable.

    Returns
    -------
    dict
        The travelling fields present in ``values``; an empty value of an ``hmac`` field stays empty
        (there is nothing to match).
    """
    travelling = travelling_fields(model, leaves_country=leaves_country, shareable=shareable)
    payload = {}
    for name, treatment in travelling.items():
        if name not in values:
            continue
        value = values[name]
        if treatment == HMAC and value not in (None, ""):
            value = keyed_hash(secret, f"{model}.{name}", str(value))
        payload[name] = value
    return payload
