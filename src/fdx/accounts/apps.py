from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "fdx.accounts"
    label = "accounts"
    verbose_name = _("People and organisations")

    def ready(self):
        from fdx.accounts import signin_audit

        signin_audit.connect()
