from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "fdx.accounts"
    label = "accounts"
    verbose_name = _("People and organisations")

    def ready(self):
        from fdx.accounts import signin_audit

        signin_audit.connect()
        warn_if_two_factor_relaxed()


def warn_if_two_factor_relaxed() -> bool:
    """Log a warning at start-up when the node does not require two-factor sign-in; True when it warned."""
    import logging

    from django.conf import settings

    if settings.FDX_REQUIRE_TWO_FACTOR:
        return False
    logging.getLogger("fdx.accounts").warning(
        "FDX_REQUIRE_TWO_FACTOR is false: readers of case data and administrators may sign in with a "
        "password alone. Only for a node that nobody reaches from outside."
    )
    return True
