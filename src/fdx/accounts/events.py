"""The domain events of the accounts app (``fdx.core.events``): what the apps above may react to, after
commit. Each names the record it is about; the payload holds ids, never people's data."""

from django.utils.translation import gettext_lazy as _

from fdx.core.events import register

SHARING_GROUP_CHANGED = register(
    "accounts.sharing_group.changed",
    _("A sharing group's members or its active flag changed (who its records reach)"),
)
