from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from casebook.audit.labels import register_action


class CryptoConfig(AppConfig):
    name = "casebook.crypto"
    label = "crypto"
    verbose_name = _("Crypto")

    def ready(self):
        for code, label in (
            ("crypto.signing.issue", _("Document-signing certificate issued")),
            ("crypto.signing.import", _("Document-signing certificate imported")),
            ("crypto.signing.rewrap", _("Document-signing keys re-encrypted")),
        ):
            register_action(code, label)
