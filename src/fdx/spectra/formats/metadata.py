"""Normalised metadata: one key for the spellings of a field in MSP, MSL, JCAMP-DX, MGF, mzML and MassBank.

Notes
-----
Keys are compared in lower case without spaces, underscores, hyphens or slashes, so ``Num Peaks``,
``NUM_PEAKS`` and ``num-peaks`` are one key; a JCAMP-DX vendor label (``##$RETENTION INDEX``) is looked up
without its ``$`` when its own spelling is unknown. The first value of a field wins; every field that is not
normalised (unknown, repeated, a placeholder such as ``PrecursorMZ: 0``, ``CASNO: 0`` or ``SMILES: N/A``, or
unparsable) is kept verbatim in ``metadata["extra"]`` under its own key (repeated keys joined by a line
break), so that nothing a file says is lost. Empty values are dropped.

Rules that a chemist may want to know:

* ``cas``: the digits of a CAS Registry Number with the hyphens put back (``481298`` and ``481-29-8`` both
  give ``"481-29-8"``: hyphens before the last digit, the check digit, and before the two digits ahead of
  it; leading zeros dropped); kept only when the check digit is right, so the ``0``, ``000000-00-0`` and
  ``2147483647`` placeholders of some libraries go to ``extra``.
* ``retention_time_s``: seconds. A value with a unit (``"12.3 min"``, ``"738 s"``, mzML ``minute``) is
  converted by its unit; a bare number takes the format's convention: minutes in MSP, MSL and MassBank
  (MS-DIAL, MoNA and AMDIS write ``RETENTIONTIME``/``RT`` in minutes), seconds in JCAMP-DX (the JCAMP-DX MS
  standard) and MGF (``RTINSECONDS``).
* ``retention_index``, ``precursor_mz``, ``molecular_weight``, ``exact_mass``, ``retention_time_s``: kept
  only when above zero (libraries write ``0`` or ``-1`` for "unknown"); a decimal comma (Golm: ``986,97``) is
  read as a decimal point.
* ``ionisation``: the method without its polarity sign (``EI+`` gives ``EI`` and, if not given otherwise,
  ``ion_mode`` ``positive``); ``ion_mode`` is ``positive`` or ``negative``.
* ``ms_level``: an integer from ``2``, ``MS2`` or ``MS`` (= 1).
* MoNA's ``Comments: "key=value" ...`` is kept whole as ``comment``; its pairs fill fields the record does not
  give directly (``"SMILES=..."``, ``"accession=..."``, ``"retention time=..."``).
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Iterable, Mapping
from functools import lru_cache

Converter = Callable[[str, str], dict[str, object] | None]

MAIN_FIELDS = (
    "inchikey", "smiles", "inchi", "formula", "cas", "synonyms", "retention_index", "retention_time_s",
    "precursor_mz", "precursor_type", "ion_mode", "instrument", "instrument_type", "ionisation",
    "ionisation_energy_ev", "ms_level", "record_id", "comment", "molecular_weight", "exact_mass", "license",
)  # fmt: skip

_KEY_NOISE = re.compile(r"[\s_\-/.]+")
_NUMBER_AND_UNIT = re.compile(r"([-+]?[0-9][0-9.,]*(?:[eE][-+]?[0-9]+)?)\s*([a-zA-Z]*)")
_MS_LEVEL = re.compile(r"(?:ms)?\s*([0-9]*)", re.IGNORECASE)
_ENERGY = re.compile(r"([0-9.,]+)\s*(?:ev)?", re.IGNORECASE)
_SIGNED = re.compile(r"(.*?)\s*([+-])")
_COMMENT_PAIR = re.compile(r'"([^"=]+)=([^"]*)"')
_SECONDS = {"s": 1.0, "sec": 1.0, "secs": 1.0, "second": 1.0, "seconds": 1.0}
_MINUTES = {"m": 60.0, "min": 60.0, "mins": 60.0, "minute": 60.0, "minutes": 60.0}
_POLARITY = {"positive": "positive", "pos": "positive", "p": "positive", "+": "positive",
             "negative": "negative", "neg": "negative", "n": "negative", "-": "negative"}  # fmt: skip


@lru_cache(maxsize=4096)
def norm_key(key: str) -> str:
    """A field name in lower case without spaces, underscores, hyphens, dots or slashes."""
    return _KEY_NOISE.sub("", key.lower())


def number(value: str) -> float | None:
    """A finite number from text, a lone decimal comma read as a point; None when it is not one."""
    text = value.strip()
    if text.count(",") == 1 and "." not in text:
        text = text.replace(",", ".")
    try:
        result = float(text)
    except ValueError:
        return None
    return result if math.isfinite(result) else None


_PLACEHOLDERS = frozenset({"n/a", "na", "none", "null", "nan", "unknown", "-", "?"})


def _text(name: str) -> Converter:
    def convert(value: str, _unit: str) -> dict[str, object] | None:
        if len(value) > 1 and value[0] == value[-1] == '"':
            value = value[1:-1].strip()  # GNPS quotes some structures
        return None if not value or value.lower() in _PLACEHOLDERS else {name: value}

    return convert


def _positive(name: str) -> Converter:
    def convert(value: str, _unit: str) -> dict[str, object] | None:
        result = number(value)
        return {name: result} if result is not None and result > 0 else None

    return convert


def _cas(value: str, _unit: str) -> dict[str, object] | None:
    digits = value.replace("-", "").strip().lstrip("0")  # NIST pads to "000050-78-2"
    if not (digits.isascii() and digits.isdigit() and 5 <= len(digits) <= 10):
        return None
    body = digits[:-1]
    check = sum(int(digit) * weight for weight, digit in enumerate(reversed(body), 1)) % 10
    if check != int(digits[-1]):
        return None
    return {"cas": f"{digits[:-3]}-{digits[-3:-1]}-{digits[-1]}"}


def _synonym(value: str, _unit: str) -> dict[str, object] | None:
    # NIST writes its own annotations as synonyms ("$:00in-source"); they are not names.
    return None if value.startswith("$:") else {"synonyms": value}


def _formula(value: str, unit: str) -> dict[str, object] | None:
    return _text("formula")("".join(value.split()), unit)  # JCAMP-DX writes "C 6 H 6 O"


def _inchikey(value: str, unit: str) -> dict[str, object] | None:
    return _text("inchikey")(value.removeprefix("InChIKey=").strip(), unit)


def _ionisation(value: str, _unit: str) -> dict[str, object] | None:
    signed = _SIGNED.fullmatch(value)
    if not signed:
        return {"ionisation": value}
    result: dict[str, object] = {"ion_mode": _POLARITY[signed[2]]}
    if signed[1]:
        result["ionisation"] = signed[1]
    return result


def _ion_mode(value: str, unit: str) -> dict[str, object] | None:
    polarity = _POLARITY.get(value.lower())
    if polarity:
        return {"ion_mode": polarity}
    # JCAMP-DX "IONIZATION MODE= EI+" names the method, MoNA "ionization mode=positive" the polarity.
    return None if value.lower() in _PLACEHOLDERS else _ionisation(value, unit)


def _energy(value: str, _unit: str) -> dict[str, object] | None:
    match = _ENERGY.fullmatch(value)
    result = number(match[1]) if match else None
    return {"ionisation_energy_ev": result} if result is not None and result > 0 else None


def _ms_level(value: str, _unit: str) -> dict[str, object] | None:
    match = _MS_LEVEL.fullmatch(value.strip())
    if not match or not (match[1] or value.strip().lower() == "ms"):
        return None
    level = int(match[1] or 1)
    return {"ms_level": level} if level >= 1 else None


def _retention_time(unit: str | None) -> Converter:
    def convert(value: str, default_unit: str) -> dict[str, object] | None:
        match = _NUMBER_AND_UNIT.fullmatch(value.strip())
        amount = number(match[1]) if match else None
        if amount is None or amount <= 0:
            return None
        word = (match[2] or unit or default_unit).lower()
        factor = _SECONDS.get(word) or _MINUTES.get(word)
        seconds = amount * factor if factor else math.inf
        return {"retention_time_s": seconds} if math.isfinite(seconds) else None

    return convert


def _spellings(converter: Converter, *keys: str) -> dict[str, Converter]:
    return {norm_key(key): converter for key in keys}


_CONVERTERS: dict[str, Converter] = {
    **_spellings(_inchikey, "inchikey", "inchi key"),
    **_spellings(_text("smiles"), "smiles"),
    **_spellings(_text("inchi"), "inchi", "iupac"),
    **_spellings(_formula, "formula", "molform", "molecular formula"),
    **_spellings(_cas, "cas", "cas#", "casno", "cas number", "cas registry no", "casrn"),
    **_spellings(_synonym, "synon", "synonym", "synonyms", "names"),
    **_spellings(_positive("retention_index"), "ri", "retention index", "retentionindex"),
    **_spellings(_retention_time(None), "rt", "retention time", "retentiontime", "scan start time"),
    **_spellings(_retention_time("s"), "rtinseconds"),
    **_spellings(_retention_time("min"), "rtinminutes"),
    **_spellings(_positive("precursor_mz"), "precursormz", "precursor m/z", "selected ion m/z", "pepmass"),
    **_spellings(_text("precursor_type"), "precursortype", "precursor type", "ion type", "adduct"),
    **_spellings(_ion_mode, "ionmode", "ion mode", "ionization mode", "ionisation mode", "polarity"),
    **_spellings(_text("instrument"), "instrument", "spectrometer/data system", "spectrometer system"),
    **_spellings(_text("instrument_type"), "instrumenttype", "instrument type", "source instrument"),
    **_spellings(_ionisation, "ionization", "ionisation"),
    **_spellings(_energy, "ionization energy", "ionisation energy", "electron energy"),
    **_spellings(_ms_level, "ms level", "mslevel", "spectrum type", "ms type"),
    **_spellings(_text("record_id"), "db#", "id", "nist#", "nistno", "accession", "spectrumid", "record id"),
    **_spellings(lambda value, _unit: {"comment": value}, "comment", "comments"),
    **_spellings(_positive("molecular_weight"), "mw", "molecular weight", "mol weight"),
    **_spellings(_positive("exact_mass"), "exactmass", "exact mass", "monoisotopic mass"),
    **_spellings(_text("license"), "license", "licence"),
}


def converter_for(key: str) -> Converter | None:
    """How a field of this name is normalised; None for a field kept verbatim in ``extra``."""
    key = norm_key(key)
    found = _CONVERTERS.get(key)
    if found is None and key.startswith("$"):
        found = _CONVERTERS.get(key[1:])  # JCAMP-DX vendor label naming a known field
    return found


def normalise(
    fields: Iterable[tuple[str, str]], *, default_time_unit: str, spellings: Mapping[str, str] | None = None
) -> dict[str, object]:
    """The normalised metadata of one record's ``(key, value)`` fields, in file order (see the module notes).

    ``spellings`` gives, for a key of the file, the spelling its converter is known by (MassBank's
    ``CH$IUPAC`` is an ``inchi``), while ``extra`` keeps the file's own key.
    """
    metadata: dict[str, object] = {}
    extra: dict[str, str] = {}
    embedded: list[tuple[str, str]] = []
    for key, raw in fields:
        value = raw.strip()
        if not value:
            continue
        converter = converter_for(spellings.get(key, key) if spellings else key)
        converted = converter(value, default_time_unit) if converter else None
        if converted is None or not _merge(metadata, converted):
            extra[key] = f"{extra[key]}\n{value}" if key in extra else value
        if converted and "comment" in converted and value.startswith('"'):
            embedded.extend(_COMMENT_PAIR.findall(value))
    for key, value in embedded:
        converter = converter_for(key)
        converted = converter(value.strip(), default_time_unit) if converter and value.strip() else None
        if converted:
            converted.pop("comment", None)
            converted.pop("synonyms", None)
            _merge(metadata, converted)
    metadata["extra"] = extra
    return metadata


def _merge(metadata: dict[str, object], converted: dict[str, object]) -> bool:
    """Add the fields not yet set; True when at least one was."""
    added = False
    for name, value in converted.items():
        if name == "synonyms":
            metadata.setdefault("synonyms", []).append(value)  # type: ignore[union-attr]
            added = True
        elif name not in metadata:
            metadata[name] = value
            added = True
    return added
