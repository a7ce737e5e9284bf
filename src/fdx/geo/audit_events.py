from django.utils.translation import gettext_lazy as _

from fdx.audit.events import register

REFERENCE_LOADED = register(
    "geo.reference.loaded",
    _("Loaded the reference geography"),
    template=_("%(actor)s loaded the reference geography"),
)
REGION_CHANGED = register(
    "geo.region.changed",
    _("Changed a region from the reference files"),
    template=_("%(actor)s changed region %(object)s from the reference files"),
)
COUNTRY_CHANGED = register(
    "geo.country.changed",
    _("Changed a country from the reference files"),
    template=_("%(actor)s changed country %(object)s from the reference files"),
)
