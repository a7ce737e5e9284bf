"""The owner's marking of the fields of a record that may leave the country (``examinations.shareable``)."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from fdx.examinations import shareable


class MarkedShareable(models.Model):
    """A record whose owner may mark some personal and free-text fields shareable (sent when the record is
    shared with another country); ``clean`` keeps only the model's candidates, sorted, each once."""

    shareable_fields = models.JSONField(
        _("fields that may leave the country"),
        default=list,
        blank=True,
        help_text=_(
            "The personal and free-text fields the owner allows to be sent when the record is shared with "
            "another country; the others are removed from the copy."
        ),
    )

    class Meta:
        abstract = True

    # No ``super()``: a bulk write checks unsaved rows that are not instances of the model (``FieldCheck``),
    # and ``models.Model.clean`` does nothing.
    def clean(self):
        self.shareable_fields = shareable.cleaned(self._meta, self.shareable_fields)

    @property
    def shareable_labels(self) -> list[str]:
        """The marked fields by their names in the active language, as the pages show them."""
        return shareable.labelled(self._meta, self.shareable_fields)
