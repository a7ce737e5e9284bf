"""Reference spectral libraries and their spectra.

A spectrum's peaks are stored as they were read (``mz`` float64, ``intensity`` float64, little-endian
bytes) with a SHA-256 over both, so that what a library said can be shown exactly and checked; the search
index works on the nominal-mass form derived from them (``science.peaks.nominal``).
"""

from __future__ import annotations

import hashlib

import numpy
from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from fdx.core.distribution import DistributionLevel
from fdx.core.models import DistributedRecord, OwnedRecord
from fdx.core.querysets import DistributedManager
from fdx.spectra.choices import SpectrumKind, SubstanceLink
from fdx.spectra.querysets import SpectralLibraryQuerySet, SpectrumQuerySet


class SpectralLibrary(OwnedRecord):
    """A reference library (SWGDRUG 3.4, a laboratory's own spectra …) owned by one organisation and
    shared as far as its distribution level says."""

    name = models.CharField(_("name"), max_length=200)
    version = models.CharField(_("version"), max_length=50, blank=True)
    source = models.CharField(_("source"), max_length=300, blank=True)
    licence = models.CharField(_("licence"), max_length=300, blank=True)
    description = models.TextField(_("description"), blank=True)
    kind = models.CharField(
        _("kind of spectra"), max_length=20, choices=SpectrumKind.choices, default=SpectrumKind.EI_MS
    )
    distribution_level = models.CharField(
        _("distribution level"),
        max_length=20,
        choices=DistributionLevel.choices,
        default=DistributionLevel.ORGANISATION,
    )
    sharing_group = models.ForeignKey(
        "accounts.SharingGroup",
        verbose_name=_("sharing group"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="spectral_libraries",
    )

    objects = DistributedManager.from_queryset(SpectralLibraryQuerySet)()

    audit_fields = (
        "name",
        "version",
        "source",
        "licence",
        "description",
        "distribution_level",
        "sharing_group",
    )

    class Meta:
        verbose_name = _("spectral library")
        verbose_name_plural = _("spectral libraries")
        ordering = ["name", "version"]
        constraints = [
            models.UniqueConstraint(
                fields=["owner_organisation", "name", "version"], name="spectra_library_name_version"
            ),
        ]
        # The list's order (``ordering``, ended with the key): a page comes from this index.
        indexes = [models.Index(fields=["name", "version", "id"], name="spectra_library_order")]
        permissions = [
            ("search_spectra", _("Search the spectral libraries one's organisation may see")),
            ("manage_spectral_libraries", _("Create libraries and import reference spectra")),
        ]

    def __str__(self):
        return f"{self.name} {self.version}".strip()


class Spectrum(DistributedRecord):
    """One reference spectrum of a library, as read from its file, linked to a registry substance."""

    #: A node links a spectrum it received to its own registry: the link is a local annotation.
    LOCAL_FIELDS = ("substance", "substance_link")

    library = models.ForeignKey(
        SpectralLibrary, verbose_name=_("library"), on_delete=models.PROTECT, related_name="spectra"
    )
    kind = models.CharField(
        _("kind"), max_length=20, choices=SpectrumKind.choices, default=SpectrumKind.EI_MS
    )
    name = models.CharField(_("name in the library"), max_length=500)
    record_id = models.CharField(_("record identifier in the library"), max_length=100, blank=True)
    substance = models.ForeignKey(
        "substances.Substance",
        verbose_name=_("substance"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="spectra",
    )
    substance_link = models.CharField(
        _("how the substance was linked"),
        max_length=30,
        choices=SubstanceLink.choices,
        default=SubstanceLink.NONE,
    )
    inchikey = models.CharField(_("InChIKey given by the library"), max_length=27, blank=True, db_index=True)
    formula = models.CharField(_("formula"), max_length=100, blank=True)
    cas_number = models.CharField(_("CAS number"), max_length=20, blank=True)
    retention_index = models.FloatField(_("retention index"), null=True, blank=True)
    retention_time_s = models.FloatField(_("retention time (s)"), null=True, blank=True)
    precursor_mz = models.FloatField(_("precursor m/z"), null=True, blank=True)
    instrument = models.CharField(_("instrument"), max_length=200, blank=True)
    instrument_type = models.CharField(_("instrument type"), max_length=100, blank=True)
    ionisation_energy_ev = models.FloatField(_("ionisation energy (eV)"), null=True, blank=True)
    comment = models.TextField(_("comment"), blank=True)
    metadata = models.JSONField(_("other fields of the record"), default=dict, blank=True)
    peak_count = models.PositiveIntegerField(_("number of peaks"))
    mz_values = models.BinaryField(_("m/z values (float64)"))
    intensities = models.BinaryField(_("intensities (float64)"))
    peaks_sha256 = models.CharField(_("SHA-256 of the peaks"), max_length=64, db_index=True)
    source_file = models.CharField(_("file imported from"), max_length=300, blank=True)
    source_line = models.PositiveIntegerField(_("line in that file"), null=True, blank=True)
    withdrawn_at = models.DateTimeField(_("withdrawn at"), null=True, blank=True)
    withdrawal_reason = models.TextField(_("reason for withdrawal"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("imported by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )

    objects = DistributedManager.from_queryset(SpectrumQuerySet)()

    audit_fields = (
        "name",
        "record_id",
        "substance",
        "substance_link",
        "inchikey",
        "retention_index",
        "withdrawn_at",
    )

    class Meta:
        verbose_name = _("spectrum")
        verbose_name_plural = _("spectra")
        ordering = ["library_id", "id"]
        indexes = [
            models.Index(fields=["library", "record_id"]),
            # Keyset pages of the spectrum list (by library, ties by id; tests/test_query_plans.py).
            models.Index(fields=["library", "id"], name="spectrum_library_key"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(peak_count__gt=0), name="spectra_spectrum_has_peaks"),
        ]

    def __str__(self):
        return self.name

    @property
    def licence(self) -> str:
        """The licence the library's record states for itself (MassBank's LICENSE field), or empty."""
        return str(self.metadata.get("license") or self.metadata.get("licence") or "")

    @property
    def linked_by_name(self) -> bool:
        """True when the substance was linked by the record's name alone (it gave no structure)."""
        return self.substance_link == SubstanceLink.NAME

    @property
    def peaks(self) -> tuple[numpy.ndarray, numpy.ndarray]:
        """The peaks as read: (m/z values, intensities)."""
        return (
            numpy.frombuffer(bytes(self.mz_values), dtype="<f8"),
            numpy.frombuffer(bytes(self.intensities), dtype="<f8"),
        )


def peak_bytes(mz, intensity) -> tuple[bytes, bytes, str]:
    """The stored form of peaks and their SHA-256 (over the m/z bytes, then the intensity bytes)."""
    mz_bytes = numpy.asarray(mz, dtype="<f8").tobytes()
    intensity_bytes = numpy.asarray(intensity, dtype="<f8").tobytes()
    return mz_bytes, intensity_bytes, hashlib.sha256(mz_bytes + intensity_bytes).hexdigest()
