"""Spectra for tests: small MSP files with known peaks, and libraries built through the actions.

The reference file (``reference_msp``) holds six made-up EI spectra, one per way a record is linked to the
registry: methamphetamine and cocaine by their full InChIKeys (cocaine's with its stereo), caffeine by its
name only (the record gives no structure), undecylamine registered from its SMILES, a second
supplier's undecylamine linked to the substance the first one registered (same InChIKey), and a compound
with neither structure nor known name, registered from its name alone.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy

from fdx.core.distribution import DistributionLevel
from fdx.spectra import actions

METHAMPHETAMINE_KEY = "MYWUZJCMWCOHBA-UHFFFAOYSA-N"
COCAINE_LIBRARY_KEY = "ZPUCINDJVBIVPJ-LJISPDSOSA-N"  # the registry's (-)-cocaine, stereo included
UNDECYLAMINE_SMILES = "CCCCCCCCCCCN"
UNDECYLAMINE_KEY = "QFKMMXYLAPZKIB-UHFFFAOYSA-N"


@dataclass(frozen=True)
class Record:
    """One MSP record: a name, its fields in file order, and its peaks (m/z, intensity)."""

    name: str
    peaks: tuple[tuple[float, float], ...]
    fields: tuple[tuple[str, str], ...] = ()

    def text(self) -> str:
        lines = [f"Name: {self.name}", *(f"{key}: {value}" for key, value in self.fields)]
        lines.append(f"Num Peaks: {len(self.peaks)}")
        lines += [f"{mz:g} {intensity:g}" for mz, intensity in self.peaks]
        return "\n".join(lines) + "\n"

    @property
    def mz(self) -> numpy.ndarray:
        return numpy.array([mz for mz, _intensity in self.peaks], dtype=numpy.float64)

    @property
    def intensity(self) -> numpy.ndarray:
        return numpy.array([intensity for _mz, intensity in self.peaks], dtype=numpy.float64)

    def peak_text(self) -> str:
        """The peaks as a chemist pastes them: ``m/z intensity`` pairs, one per line."""
        return "\n".join(f"{mz:g} {intensity:g}" for mz, intensity in self.peaks)


METHAMPHETAMINE = Record(
    "Methamphetamine",
    ((42, 60), (56, 32), (58, 999), (59, 42), (65, 55), (77, 20), (91, 140), (117, 12), (134, 25), (148, 6)),
    (("DB#", "T-1"), ("InChIKey", METHAMPHETAMINE_KEY), ("Formula", "C10H15N"), ("RI", "1180")),
)
COCAINE = Record(
    "Cocaine",
    ((42, 180), (77, 260), (82, 999), (83, 210), (94, 310), (96, 160), (105, 370), (182, 720), (198, 85),
     (303, 210)),
    (("DB#", "T-2"), ("InChIKey", COCAINE_LIBRARY_KEY), ("Formula", "C17H21NO4"), ("RI", "2190")),
)  # fmt: skip
CAFFEINE = Record(
    "Caffeine",
    ((55, 210), (67, 310), (82, 240), (94, 80), (109, 520), (137, 60), (165, 40), (193, 110), (194, 999)),
    (("DB#", "T-3"),),
)
UNDECYLAMINE = Record(
    "Undecylamine",
    ((30, 999), (41, 120), (43, 150), (44, 210), (55, 90), (57, 80), (69, 40), (86, 30), (170, 8), (171, 4)),
    (("DB#", "T-4"), ("SMILES", UNDECYLAMINE_SMILES)),
)
UNDECYLAMINE_REPLICATE = Record(
    "1-Aminoundecane (supplier B)",
    ((30, 999), (41, 110), (43, 160), (44, 190), (55, 95), (57, 70), (69, 45), (86, 25), (170, 9), (171, 3)),
    (("DB#", "T-5"), ("InChIKey", UNDECYLAMINE_KEY)),
)
UNNAMED_COMPOUND = Record(
    "FDX test compound 7",
    ((51, 300), (63, 120), (89, 450), (115, 999), (116, 620), (139, 80), (189, 40), (204, 210)),
    (("DB#", "T-6"),),
)
REFERENCE = (METHAMPHETAMINE, COCAINE, CAFFEINE, UNDECYLAMINE, UNDECYLAMINE_REPLICATE, UNNAMED_COMPOUND)


def write_msp(folder: Path, name: str, records=REFERENCE, text: str = "") -> Path:
    """An MSP file of ``records`` (or of ``text`` as given) in ``folder``."""
    path = folder / name
    path.write_text(text or "\n".join(record.text() for record in records), encoding="utf-8")
    return path


def reference_msp(folder: Path, name: str = "reference.msp") -> Path:
    return write_msp(folder, name)


def noisy(record: Record, seed: int = 7) -> Record:
    """The same compound measured again: every intensity off by up to ±15 % and two small extra peaks."""
    rng = numpy.random.default_rng(seed)
    peaks = [(mz, round(intensity * float(rng.uniform(0.85, 1.15)), 1)) for mz, intensity in record.peaks] + [
        (39.0, 25.0),
        (73.0, 12.0),
    ]
    return Record(f"{record.name} (noisy)", tuple(sorted(peaks)), ())


def make_library(user, name: str = "FDX test library", *, level=DistributionLevel.ORGANISATION, **extra):
    """A library of ``user``'s organisation (or, for a system actor, of ``organisation=``)."""
    organisation = extra.pop("organisation", None)
    data = actions.LibraryInput(
        name=name, version=extra.pop("version", "1"), distribution_level=level, **extra
    )
    return actions.create_library(user, data, organisation=organisation)


def imported_library(
    user, folder: Path, name: str = "FDX test library", *, level=DistributionLevel.ORGANISATION
):
    """A library of the six reference spectra, imported by ``user`` (a library manager)."""
    library = make_library(user, name, level=level)
    actions.import_spectra(user, library, reference_msp(folder, f"{name.replace(' ', '-')}.msp"))
    return library
