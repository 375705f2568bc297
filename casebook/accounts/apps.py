from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from casebook.audit.labels import register_action
from casebook.core.bureaus import register_bureau_setup
from casebook.core.context_processors import register_nav, register_nav_badge


class AccountsConfig(AppConfig):
    name = "casebook.accounts"
    label = "accounts"
    verbose_name = _("Accounts")

    def ready(self):
        from . import access, checks, navigation, selectors, services  # noqa: F401, PLC0415 - ready(): registration modules (some register on import) import models

        register_nav(*navigation.MENU)
        register_nav_badge("accounts:grants", selectors.pending_grant_count)
        # checks: registers the system checks when imported
        register_bureau_setup(services.bureau_setup)
        access.register_rules()
        register_action("account.credential_reset_request", _("Credential reset requested"))
        register_action("account.credential_reset", _("Credentials reset (approved)"))
