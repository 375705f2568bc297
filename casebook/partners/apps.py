from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from casebook.audit.labels import register_action


class PartnersConfig(AppConfig):
    name = "casebook.partners"
    label = "partners"
    verbose_name = _("Partner departments")

    def ready(self):
        from . import access  # noqa: PLC0415 - ready(): the access rules import the models

        access.register_rules()
        for code, label in (
            ("partner.create", _("Partner department registered")),
            ("partner.update", _("Partner department changed")),
            ("partner.contact_add", _("Partner contact added")),
            ("partner.contact_retire", _("Partner contact retired")),
            ("read.partner_contacts", _("Partner contacts viewed")),
        ):
            register_action(code, label)
