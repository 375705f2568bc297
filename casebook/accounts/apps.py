from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "casebook.accounts"
    label = "accounts"
    verbose_name = _("Accounts")

    def ready(self):
        from casebook.core.context_processors import register_nav, register_nav_badge

        from .navigation import MENU
        from .selectors import pending_grant_count

        register_nav(*MENU)
        register_nav_badge("accounts:grants", pending_grant_count)

        from . import checks  # noqa: F401  (registers the system checks)
