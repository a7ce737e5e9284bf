from django.utils.translation import gettext_lazy as _

from fdx.audit.events import register

REFERENCE_LOADED = register(
    "legal.reference.loaded",
    _("Loaded FDX's reference legal content"),
    template=_("%(actor)s loaded FDX's reference legal content"),
)
LISTING_ADDED = register(
    "legal.listing.added",
    _("Added an entry to a control list"),
    template=_("%(actor)s added %(object)s to a control list"),
)
LISTING_CORRECTED = register(
    "legal.listing.corrected",
    _("Corrected an entry of a control list"),
    template=_("%(actor)s corrected control-list entry %(object)s"),
)
LISTING_WITHDRAWN = register(
    "legal.listing.withdrawn",
    _("Withdrew an entry recorded in error"),
    template=_("%(actor)s withdrew control-list entry %(object)s, recorded in error"),
)
LISTINGS_IMPORTED = register(
    "legal.listings.imported",
    _("Imported control-list entries from a file"),
    template=_("%(actor)s imported control-list entries for %(object)s"),
)
LISTS_COMPLETENESS_SET = register(
    "legal.jurisdiction.completeness",
    _("Marked a jurisdiction's lists as complete or incomplete"),
    template=_("%(actor)s marked the lists of %(object)s as complete or incomplete"),
)
