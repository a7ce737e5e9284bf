"""Notes on a case: an organisation's working notes ("matches our case KZ-2025-114"), kept on this node only.

A note is not a distributed record: it has no origin node, no version and no tombstone, it is in no table of
what travels (``fdx.exchange.pseudonymise.TABLE``), and so it never leaves this node. It is the one thing a
reader may add to a case received from another node, whose own fields stay read-only here."""

from django.conf import settings
from django.core.validators import MaxLengthValidator, ProhibitNullCharactersValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from fdx.core.models import GlobalRecord
from fdx.examinations.choices import CASE_NOTE_MAX_LENGTH
from fdx.examinations.querysets import CaseNoteQuerySet


class CaseNote(GlobalRecord):
    """One note by one user on one case, belonging to the user's organisation: seen only by the members of
    that organisation who may see the case (``CaseNoteQuerySet``), never by another organisation, not even
    on this node. Written and deleted (hard, audited) by ``fdx.examinations.case_notes``.

    The case is a ``CASCADE`` key: this node never deletes a case of its own (it retracts it, or makes it a
    tombstone), but a received copy whose owner withdraws it is deleted here, and its notes go with it (the
    audit chain keeps who wrote and deleted what)."""

    case = models.ForeignKey(
        "examinations.Case", verbose_name=_("case"), on_delete=models.CASCADE, related_name="notes"
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("author"), on_delete=models.PROTECT, related_name="+"
    )
    organisation = models.ForeignKey(
        "accounts.Organisation",
        verbose_name=_("organisation"),
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("The author's organisation, to which the note belongs."),
    )
    text = models.TextField(
        _("text of the note"),
        max_length=CASE_NOTE_MAX_LENGTH,
        validators=[MaxLengthValidator(CASE_NOTE_MAX_LENGTH), ProhibitNullCharactersValidator()],
    )

    objects = CaseNoteQuerySet.as_manager()

    class Meta:
        verbose_name = _("note on a case")
        verbose_name_plural = _("notes on cases")
        ordering = ["-created_at", "-id"]
        # Only "add" is granted (to the roles that work with cases); reading and deleting follow the case's
        # visibility, the organisation and the author, not a permission of their own.
        default_permissions = ("add",)
        indexes = [
            # Keyset pages of one case's notes as one organisation sees them, newest first.
            models.Index(fields=["case", "organisation", "-created_at", "-id"], name="casenote_reader_key"),
        ]

    def __str__(self):
        return f"{self.case.reference} · {self.text[:60]}"
